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
    public const int Size = 72;

    public SadbExtensionType Type => SadbExtensionType.XCounter;

    public int ByteLength => Size;

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
