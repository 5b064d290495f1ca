using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>
/// One extension of a PF_KEY message, as its raw bytes: the 4-byte <c>sadb_ext</c> header
/// (length in 8-byte units, type) followed by the type-specific body.
/// </summary>
public readonly record struct PfKeyExtension(SadbExtensionType Type, ReadOnlyMemory<byte> Bytes) : IPfKeyExtensionWriter
{
    /// <summary>Bytes of the <c>sadb_ext</c> header: u16 length in 8-byte units, u16 type (little-endian on OpenBSD amd64).</summary>
    public const int HeaderSize = 4;

    /// <summary>The extension's bytes, header included; a view of the message, not a copy.</summary>
    public ReadOnlySpan<byte> Span => Bytes.Span;

    /// <summary>The raw bytes are written as they are, so a parsed message rebuilds byte for byte.</summary>
    public int ByteLength => Bytes.Length;

    /// <inheritdoc/>
    public void Write(Span<byte> destination) => Span.CopyTo(destination);

    /// <summary>Reads the little-endian u16 <c>sadb_ext_len</c> of the extension header at the start of <paramref name="source"/>.</summary>
    public static int ReadLengthInUnits(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt16LittleEndian(source);
}
