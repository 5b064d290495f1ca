using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_replay</c> (16 bytes): X_REPLAY, the SA's replay counter.</summary>
public readonly record struct ReplayExtension(ulong Count) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = 16;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XReplay;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="ReplayExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out ReplayExtension replay, out PfKeyError error)
    {
        replay = default;
        if (!ExtensionLayout.TryCheckFixed(extension, SadbExtensionType.XReplay, Size, "a replay counter", out error))
        {
            return false;
        }

        replay = new ReplayExtension(BinaryPrimitives.ReadUInt64LittleEndian(extension.Span[8..]));
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Count);
    }
}
