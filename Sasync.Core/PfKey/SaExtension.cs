using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_sa</c> (16 bytes), the SA and X_SA2 extensions. <see cref="Spi"/> is the value of
/// the network-order field, as <c>ipsecctl -s sa</c> prints it.
/// </summary>
public readonly record struct SaExtension(
    uint Spi,
    byte Replay,
    SadbSaState State,
    SadbAuthAlgorithm Auth,
    SadbEncryptionAlgorithm Encrypt,
    SadbSaFlags Flags,
    SadbExtensionType Type = SadbExtensionType.Sa) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = 16;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="SaExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out SaExtension sa, out PfKeyError error)
    {
        sa = default;
        if (!ExtensionLayout.TryCheckType(extension, "an SA", out error, SadbExtensionType.Sa, SadbExtensionType.XSa2)
            || !ExtensionLayout.TryCheckExactLength(extension, Size, out error))
        {
            return false;
        }

        var span = extension.Span;
        sa = new SaExtension(
            BinaryPrimitives.ReadUInt32BigEndian(span[4..]),
            span[8],
            (SadbSaState)span[9],
            (SadbAuthAlgorithm)span[10],
            (SadbEncryptionAlgorithm)span[11],
            (SadbSaFlags)BinaryPrimitives.ReadUInt32LittleEndian(span[12..]),
            extension.Type);
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Spi);
        destination[8] = Replay;
        destination[9] = (byte)State;
        destination[10] = (byte)Auth;
        destination[11] = (byte)Encrypt;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], (uint)Flags);
    }
}
