namespace Sasync.Core.PfKey;

/// <summary>
/// Anything that can be laid out as one extension of a PF_KEY message: the typed extension
/// records and the raw <see cref="PfKeyExtension"/> (kept for types without a typed view).
/// </summary>
public interface IPfKeyExtensionWriter
{
    /// <summary>The <c>sadb_ext_type</c> written in the extension's header.</summary>
    SadbExtensionType Type { get; }

    /// <summary>Bytes <see cref="Write"/> produces, header included; always a multiple of 8.</summary>
    int ByteLength { get; }

    /// <summary>Writes the extension, its <c>sadb_ext</c> header included, to the start of <paramref name="destination"/>.</summary>
    void Write(Span<byte> destination);
}
