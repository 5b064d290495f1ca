using System.Buffers.Binary;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// Glue between the kernel's extension slots (raw byte arrays, kept as the writer sent them) and the
/// typed extension records of <see cref="Sasync.Core.PfKey"/>. The kernel checked every extension
/// before it gets here, so the typed reads cannot fail on well-formed input.
/// </summary>
internal static class KernelLayout
{
    public static int PadUp(int length) => (length + 7) & ~7;

    public static PfKeyExtension View(ReadOnlyMemory<byte> extension) =>
        new((SadbExtensionType)BinaryPrimitives.ReadUInt16LittleEndian(extension.Span[2..]), extension);

    public static SadbExtensionType TypeOf(ReadOnlyMemory<byte> extension) => View(extension).Type;

    public static byte[] Bytes<T>(T extension)
        where T : IPfKeyExtensionWriter
    {
        var bytes = new byte[extension.ByteLength];
        extension.Write(bytes);
        return bytes;
    }

    /// <summary>Sets the type field of the extension at the start of <paramref name="extension"/>.</summary>
    public static void WriteExtensionType(Span<byte> extension, SadbExtensionType type) =>
        BinaryPrimitives.WriteUInt16LittleEndian(extension[2..], (ushort)type);

    /// <summary>Writes the sadb_ext header (length in 8-byte units, type) of an extension filling all of <paramref name="extension"/>.</summary>
    public static void WriteExtensionHeader(Span<byte> extension, SadbExtensionType type)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(extension, (ushort)(extension.Length / 8));
        WriteExtensionType(extension, type);
    }

    /// <summary>The offset that marks an extension an entry does not keep (buffers are far shorter).</summary>
    public const ushort Absent = ushort.MaxValue;

    /// <summary>
    /// Copies the extensions an entry keeps into one new blob of <paramref name="arena"/>, sets
    /// <paramref name="offsets"/> to where each starts in the blob's chunk (<see cref="Absent"/> for a
    /// null one), then frees <paramref name="old"/> (which the extensions may lie in); returns the new blob.
    /// </summary>
    public static ArenaBlob Keep(ExtensionArena arena, ArenaBlob old, ReadOnlySpan<ReadOnlyMemory<byte>?> extensions, Span<ushort> offsets)
    {
        var total = 0;
        foreach (var extension in extensions)
        {
            total += extension?.Length ?? 0;
        }

        var blob = total == 0 ? ArenaBlob.None : arena.Allocate(total);
        var offset = 0;
        for (var i = 0; i < extensions.Length; i++)
        {
            offsets[i] = Absent;
            if (extensions[i] is { } bytes)
            {
                bytes.Span.CopyTo(blob.Span[offset..]);
                offsets[i] = (ushort)(blob.Offset + offset);
                offset += bytes.Length;
            }
        }

        arena.Free(old);
        return blob;
    }

    /// <summary>The kept extension at <paramref name="offset"/> of <paramref name="buffer"/>, its length read from its header; null when <see cref="Absent"/>.</summary>
    public static ReadOnlyMemory<byte>? Kept(byte[] buffer, ushort offset) =>
        offset == Absent ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(buffer, offset, KeptLength(buffer, offset));

    /// <summary>The length of the kept extension at <paramref name="offset"/>; 0 when <see cref="Absent"/>.</summary>
    public static int KeptLength(byte[] buffer, ushort offset) =>
        offset == Absent ? 0 : PfKeyExtension.ReadLengthInUnits(buffer.AsSpan(offset)) * 8;

    /// <summary>Copies the kept extension at <paramref name="offset"/> with its type set to <paramref name="type"/>; returns its length (0 when absent).</summary>
    public static int CopyKept(byte[] buffer, ushort offset, SadbExtensionType type, Span<byte> destination)
    {
        var length = KeptLength(buffer, offset);
        if (length != 0)
        {
            buffer.AsSpan(offset, length).CopyTo(destination);
            WriteExtensionType(destination, type);
        }

        return length;
    }

    public static SaExtension ReadSa(ReadOnlyMemory<byte> extension) =>
        SaExtension.TryRead(View(extension), out var sa, out var error) ? sa : throw new InvalidOperationException(error.ToString());

    public static LifetimeExtension ReadLifetime(ReadOnlyMemory<byte> extension) =>
        LifetimeExtension.TryRead(View(extension), out var lifetime, out var error) ? lifetime : throw new InvalidOperationException(error.ToString());

    public static bool LifetimeIsSet(LifetimeExtension lifetime) =>
        lifetime.Allocations != 0 || lifetime.Bytes != 0 || lifetime.AddTime != 0 || lifetime.UseTime != 0;

    public static SpiRangeExtension ReadSpiRange(ReadOnlyMemory<byte> extension) =>
        SpiRangeExtension.TryRead(View(extension), out var range, out var error) ? range : throw new InvalidOperationException(error.ToString());

    public static RdomainExtension ReadRdomain(ReadOnlyMemory<byte> extension) =>
        RdomainExtension.TryRead(View(extension), out var rdomain, out var error) ? rdomain : throw new InvalidOperationException(error.ToString());

    public static FlowTypeExtension ReadFlowType(ReadOnlyMemory<byte> extension) =>
        FlowTypeExtension.TryRead(View(extension), out var flowType, out var error) ? flowType : throw new InvalidOperationException(error.ToString());

    public static ProtocolExtension ReadProtocol(ReadOnlyMemory<byte> extension) =>
        ProtocolExtension.TryRead(View(extension), out var protocol, out var error) ? protocol : throw new InvalidOperationException(error.ToString());

    // struct sadb_x_udpencap: u16 port at 4; struct sadb_x_tap: u32 unit at 4 (zero means unset).
    public static bool UdpEncapIsSet(ReadOnlyMemory<byte> udpencap) => BinaryPrimitives.ReadUInt16LittleEndian(udpencap.Span[4..]) != 0;

    public static bool TapIsSet(ReadOnlyMemory<byte> tap) => BinaryPrimitives.ReadUInt32LittleEndian(tap.Span[4..]) != 0;

    /// <summary>
    /// Writes the promiscuous wrapper, a zeroed header of type X_PROMISC with <paramref name="sequence"/>, to the
    /// start of <paramref name="copy"/>, whose rest holds the wrapped message already.
    /// </summary>
    public static void WritePromiscuousHeader(Span<byte> copy, uint sequence) =>
        new SadbHeader(SadbHeader.Version2, SadbMessageType.XPromisc, 0, SadbSaType.Unspec, (ushort)(copy.Length / 8), 0, sequence, 0).WriteTo(copy);
}
