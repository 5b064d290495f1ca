using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_lifetime</c> (32 bytes): LIFETIME_CURRENT, LIFETIME_HARD, LIFETIME_SOFT and
/// X_LIFETIME_LASTUSE. Times are seconds (absolute for CURRENT/LASTUSE, relative for HARD/SOFT).
/// </summary>
public readonly record struct LifetimeExtension(
    SadbExtensionType Type,
    uint Allocations,
    ulong Bytes,
    ulong AddTime,
    ulong UseTime) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = 32;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="LifetimeExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out LifetimeExtension lifetime, out PfKeyError error)
    {
        lifetime = default;
        if (!ExtensionLayout.TryCheckType(extension, "a lifetime", out error, SadbExtensionType.LifetimeCurrent,
                SadbExtensionType.LifetimeHard, SadbExtensionType.LifetimeSoft, SadbExtensionType.XLifetimeLastUse)
            || !ExtensionLayout.TryCheckExactLength(extension, Size, out error))
        {
            return false;
        }

        var span = extension.Span;
        lifetime = new LifetimeExtension(
            extension.Type,
            BinaryPrimitives.ReadUInt32LittleEndian(span[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[24..]));
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Allocations);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], AddTime);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], UseTime);
    }
}
