using System.Buffers.Binary;
using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Tests.PfKey;

/// <summary>Builds PF_KEY messages from raw extension bytes for tests.</summary>
internal static class TestMessages
{
    /// <summary>An extension of <paramref name="bodyLength"/> bytes after the 4-byte header, body filled with <paramref name="fill"/>.</summary>
    public static byte[] Ext(SadbExtensionType type, int bodyLength, byte fill = 0)
    {
        var total = (PfKeyExtension.HeaderSize + bodyLength + 7) & ~7;
        var bytes = new byte[total];
        bytes.AsSpan(PfKeyExtension.HeaderSize).Fill(fill);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(total / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)type);
        return bytes;
    }

    /// <summary><c>sadb_sa</c> (16 bytes) with an SPI in network order and state MATURE.</summary>
    public static byte[] Sa(uint spi, SadbExtensionType type = SadbExtensionType.Sa)
    {
        var bytes = Ext(type, 12);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), spi);
        bytes[9] = 1; // SADB_SASTATE_MATURE
        return bytes;
    }

    /// <summary>An address extension (SRC, DST, PROXY, flows, masks, DST2) holding <paramref name="address"/>.</summary>
    public static byte[] Address(SadbExtensionType type, string address)
    {
        var ip = IPAddress.Parse(address);
        var sockaddrLength = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? SockAddr.InetSize : SockAddr.Inet6Size;
        var bytes = Ext(type, 4 + sockaddrLength);
        SockAddr.Write(bytes.AsSpan(SockAddr.OffsetInAddressExtension), ip);
        return bytes;
    }

    /// <summary>A key extension (KEY_AUTH / KEY_ENCRYPT) of <paramref name="bits"/> bits.</summary>
    public static byte[] Key(SadbExtensionType type, int bits, byte fill = 0xab)
    {
        var bytes = Ext(type, 4 + bits / 8, fill);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), (ushort)bits);
        bytes[6] = 0;
        bytes[7] = 0;
        return bytes;
    }

    public static byte[] Message(SadbMessageType type, SadbSaType saType, uint seq, uint pid, params byte[][] extensions)
    {
        var length = SadbHeader.Size + extensions.Sum(e => e.Length);
        var bytes = new byte[length];
        new SadbHeader(SadbHeader.Version2, type, 0, saType, (ushort)(length / 8), 0, seq, pid).WriteTo(bytes);
        var offset = SadbHeader.Size;
        foreach (var extension in extensions)
        {
            extension.CopyTo(bytes, offset);
            offset += extension.Length;
        }

        return bytes;
    }

    /// <summary>The kernel's promiscuous copy: an X_PROMISC wrapper whose seq is the writer's pid, then the message.</summary>
    public static byte[] Wrap(uint writerPid, byte[] inner)
    {
        var bytes = new byte[SadbHeader.Size + inner.Length];
        new SadbHeader(SadbHeader.Version2, SadbMessageType.XPromisc, 0, SadbSaType.Unspec, (ushort)(bytes.Length / 8), 0, writerPid, 0).WriteTo(bytes);
        inner.CopyTo(bytes, SadbHeader.Size);
        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>An ESP SA with both keys, as an IKE daemon writes it (ADD or UPDATE).</summary>
    public static byte[] EspSa(SadbMessageType type, uint spi, uint pid, string src = "192.0.2.1", string dst = "192.0.2.2", uint seq = 5) =>
        Message(type, SadbSaType.Esp, seq, pid,
            Sa(spi),
            Address(SadbExtensionType.AddressSrc, src),
            Address(SadbExtensionType.AddressDst, dst),
            Key(SadbExtensionType.KeyAuth, 160),
            Key(SadbExtensionType.KeyEncrypt, 128));

    public static PfKeyMessage Parse(byte[] bytes)
    {
        Assert.True(PfKeyMessage.TryParse(bytes, out var message, out var error), error.ToString());
        return message;
    }

    public static IEnumerable<SadbExtensionType> ExtensionTypes(ReadOnlyMemory<byte> bytes) => Parse(bytes.ToArray()).Extensions.Select(e => e.Type);
}
