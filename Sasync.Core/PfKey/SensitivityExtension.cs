using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_sens</c> (16 bytes) followed by the sensitivity and integrity bitmaps, each a
/// whole number of 8-byte units: SENSITIVITY.
/// </summary>
public readonly record struct SensitivityExtension(
    uint Dpd,
    byte SensitivityLevel,
    byte IntegrityLevel,
    ReadOnlyMemory<byte> SensitivityBitmap,
    ReadOnlyMemory<byte> IntegrityBitmap) : IPfKeyExtensionWriter
{
    /// <summary>Bytes of the fixed part before the variable-length data, <c>sadb_ext</c> header included.</summary>
    public const int HeaderSize = 16;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.Sensitivity;

    /// <inheritdoc/>
    public int ByteLength => HeaderSize + ExtensionLayout.PadUp(SensitivityBitmap.Length) + ExtensionLayout.PadUp(IntegrityBitmap.Length);

    /// <summary>Reads <paramref name="extension"/> as a <see cref="SensitivityExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out SensitivityExtension sensitivity, out PfKeyError error)
    {
        sensitivity = default;
        if (!ExtensionLayout.TryCheckType(extension, "a sensitivity", out error, SadbExtensionType.Sensitivity)
            || !ExtensionLayout.TryCheckMinimumLength(extension, HeaderSize, out error))
        {
            return false;
        }

        var span = extension.Span;
        var sensitivityBytes = span[9] * 8;
        var integrityBytes = span[11] * 8;
        if (HeaderSize + sensitivityBytes + integrityBytes != span.Length)
        {
            error = new PfKeyError(0, $"SENSITIVITY extension is {span.Length} bytes, its bitmap lengths say {HeaderSize + sensitivityBytes + integrityBytes}");
            return false;
        }

        sensitivity = new SensitivityExtension(
            BinaryPrimitives.ReadUInt32LittleEndian(span[4..]),
            span[8],
            span[10],
            extension.Bytes.Slice(HeaderSize, sensitivityBytes),
            extension.Bytes.Slice(HeaderSize + sensitivityBytes, integrityBytes));
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        var sensitivityUnits = ExtensionLayout.PadUp(SensitivityBitmap.Length) / 8;
        var integrityUnits = ExtensionLayout.PadUp(IntegrityBitmap.Length) / 8;
        if (sensitivityUnits > byte.MaxValue || integrityUnits > byte.MaxValue)
        {
            throw new InvalidOperationException("a sensitivity bitmap is at most 255 units of 8 bytes");
        }

        ExtensionLayout.WriteHeader(destination, Type, ByteLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Dpd);
        destination[8] = SensitivityLevel;
        destination[9] = (byte)sensitivityUnits;
        destination[10] = IntegrityLevel;
        destination[11] = (byte)integrityUnits;
        SensitivityBitmap.Span.CopyTo(destination[HeaderSize..]);
        IntegrityBitmap.Span.CopyTo(destination[(HeaderSize + (sensitivityUnits * 8))..]);
    }
}
