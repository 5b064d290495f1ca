using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_counter</c> (72 bytes): X_COUNTER, the SA's traffic counters.</summary>
public readonly record struct CounterExtension(
    ulong InputPackets,
    ulong OutputPackets,
    ulong InputBytes,
    ulong OutputBytes,
    ulong InputDrops,
    ulong OutputDrops,
    ulong InputDecompressedBytes,
    ulong OutputUncompressedBytes) : IPfKeyExtensionWriter
{
    /// <summary>The extension's size in bytes, its <c>sadb_ext</c> header included.</summary>
    public const int Size = 72;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.XCounter;

    /// <inheritdoc/>
    public int ByteLength => Size;

    /// <summary>Reads <paramref name="extension"/> as a <see cref="CounterExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out CounterExtension counter, out PfKeyError error)
    {
        counter = default;
        if (!ExtensionLayout.TryCheckFixed(extension, SadbExtensionType.XCounter, Size, "counters", out error))
        {
            return false;
        }

        var span = extension.Span;
        counter = new CounterExtension(
            BinaryPrimitives.ReadUInt64LittleEndian(span[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[40..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[48..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[56..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[64..]));
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], InputPackets);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], OutputPackets);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], InputBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], OutputBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[40..], InputDrops);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[48..], OutputDrops);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[56..], InputDecompressedBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[64..], OutputUncompressedBytes);
    }
}
