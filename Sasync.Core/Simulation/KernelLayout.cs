using System.Buffers.Binary;
using System.Net;
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

    public static PfKeyExtension View(byte[] extension) =>
        new((SadbExtensionType)BinaryPrimitives.ReadUInt16LittleEndian(extension.AsSpan(2)), extension);

    public static SadbExtensionType TypeOf(byte[] extension) => View(extension).Type;

    public static byte[] Bytes(IPfKeyExtensionWriter extension)
    {
        var bytes = new byte[extension.ByteLength];
        extension.Write(bytes);
        return bytes;
    }

    /// <summary>A copy of <paramref name="extension"/> with its type field set to <paramref name="type"/>.</summary>
    public static byte[] Retyped(byte[] extension, SadbExtensionType type)
    {
        var bytes = (byte[])extension.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)type);
        return bytes;
    }

    /// <summary>Reads an extension the kernel has already checked; a failure here is a bug in the simulation.</summary>
    public static T Read<T>(byte[] extension, TypedExtensionReader<T> reader) =>
        reader(View(extension), out var value, out var error) ? value : throw new InvalidOperationException(error.ToString());

    public static SaExtension ReadSa(byte[] extension) => Read<SaExtension>(extension, SaExtension.TryRead);

    public static bool TryReadAddress(byte[] extension, out IPAddress address, out ushort port)
    {
        var ok = AddressExtension.TryRead(View(extension), out var typed, out _);
        (address, port) = ok ? (typed.Address, typed.Port) : (IPAddress.None, (ushort)0);
        return ok;
    }

    /// <summary>An address extension around an empty sockaddr, as export_address lays out a zeroed address.</summary>
    public static byte[] EmptyAddress(SadbExtensionType type)
    {
        var bytes = new byte[AddressExtension.HeaderSize];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)type);
        return bytes;
    }

    public static bool LifetimeIsSet(LifetimeExtension lifetime) =>
        lifetime.Allocations != 0 || lifetime.Bytes != 0 || lifetime.AddTime != 0 || lifetime.UseTime != 0;

    // struct sadb_x_udpencap: u16 port at 4; struct sadb_x_tap: u32 unit at 4 (zero means unset).
    public static bool UdpEncapIsSet(byte[] udpencap) => BinaryPrimitives.ReadUInt16LittleEndian(udpencap.AsSpan(4)) != 0;

    public static bool TapIsSet(byte[] tap) => BinaryPrimitives.ReadUInt32LittleEndian(tap.AsSpan(4)) != 0;

    /// <summary>Builds a whole message: <paramref name="header"/> with its length recomputed, then the extensions in the given order.</summary>
    public static byte[] Message(SadbHeader header, IReadOnlyCollection<byte[]> extensions)
    {
        var length = SadbHeader.Size + extensions.Sum(e => e.Length);
        var bytes = new byte[length];
        (header with { Length = (ushort)(length / 8) }).WriteTo(bytes);
        var offset = SadbHeader.Size;
        foreach (var extension in extensions)
        {
            extension.CopyTo(bytes.AsSpan(offset));
            offset += extension.Length;
        }

        return bytes;
    }

    /// <summary>The promiscuous wrapper: a zeroed header of type X_PROMISC with <paramref name="sequence"/>, then the message.</summary>
    public static byte[] PromiscuousCopy(ReadOnlySpan<byte> message, uint sequence)
    {
        var bytes = new byte[SadbHeader.Size + message.Length];
        new SadbHeader(SadbHeader.Version2, SadbMessageType.XPromisc, 0, SadbSaType.Unspec, (ushort)(bytes.Length / 8), 0, sequence, 0).WriteTo(bytes);
        message.CopyTo(bytes.AsSpan(SadbHeader.Size));
        return bytes;
    }
}
