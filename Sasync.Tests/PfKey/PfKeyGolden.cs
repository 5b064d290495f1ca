namespace Sasync.Tests.PfKey;

/// <summary>
/// Extensions and messages written by hand from the offsets in OPENBSD-ABI.md §1.3 (amd64,
/// little-endian; SPI, sockaddr ports and the UDP encapsulation port in network order). Spaces
/// separate the fields.
/// </summary>
internal static class PfKeyGolden
{
    // struct sadb_sa: len 2, type 1, spi 0x00001234 (BE), replay 32, MATURE, auth 5 (SHA2_256), encrypt 12 (AES), flags 0x204.
    public const string Sa = "0200 0100 00001234 20 01 05 0c 04020000";

    // SADB_X_EXT_SA2 (23): spi 0xdeadbeef, MATURE, no algorithms.
    public const string Sa2 = "0200 1700 deadbeef 00 01 00 00 00000000";

    // struct sadb_lifetime: len 4; allocations, bytes, addtime, usetime.
    public const string LifetimeHard = "0400 0300 0a000000 0010000000000000 100e000000000000 0000000000000000";
    public const string LifetimeSoft = "0400 0400 00000000 0008000000000000 080c000000000000 0000000000000000";
    public const string LifetimeCurrent = "0400 0200 00000000 e803000000000000 00e1f50500000000 01e1f50500000000";
    public const string LifetimeLastUse = "0400 2000 00000000 0000000000000000 0000000000000000 02e1f50500000000";

    // sadb_address + sockaddr_in {len 16, AF_INET 2, port BE, addr, zero[8]}: 24 bytes.
    public const string AddressSrc = "0300 0500 00000000 10 02 0000 c0000201 0000000000000000";
    public const string AddressDst = "0300 0600 00000000 10 02 0000 c0000202 0000000000000000";
    public const string AddressProxy = "0300 0700 00000000 10 02 0000 c0000203 0000000000000000";
    public const string SrcFlow = "0300 1500 00000000 10 02 01f4 0a000000 0000000000000000";
    public const string DstFlow = "0300 1600 00000000 10 02 0000 0a010000 0000000000000000";
    public const string SrcMask = "0300 1100 00000000 10 02 ffff ffffff00 0000000000000000";
    public const string DstMask = "0300 1200 00000000 10 02 0000 ffffff00 0000000000000000";

    // sadb_address + sockaddr_in6 {len 28, AF_INET6 24, port, flowinfo, addr[16], scope} + 4 pad: 40 bytes.
    public const string AddressDst6 = "0500 0600 00000000 1c 18 0000 00000000 20010db8000000000000000000000001 00000000 00000000";
    public const string Dst2 = "0500 1800 00000000 1c 18 0000 00000000 20010db8000000000000000000000002 00000000 00000000";

    // sadb_key {len, type, bits, reserved} + key padded to 8: 128 bits = 24 bytes, 160 bits = 32 bytes.
    public const string KeyEncrypt = "0300 0900 8000 0000 000102030405060708090a0b0c0d0e0f";
    public const string KeyAuth = "0400 0800 a000 0000 101112131415161718191a1b1c1d1e1f20212223 00000000";

    // sadb_ident {len, type, ident type FQDN 2, reserved, id} + "gw.example\0" padded to 16: 32 bytes.
    public const string IdentitySrc = "0400 0a00 0200 0000 0000000000000000 67772e6578616d706c65 000000000000";
    public const string IdentityDst = "0400 0b00 0300 0000 0700000000000000 6140622e6578616d706c6500 00000000";

    // sadb_sens: dpd 1, sens level 2, sens_len 1 unit, integ level 3, integ_len 0, reserved; one bitmap unit.
    public const string Sensitivity = "0300 0c00 01000000 02 01 03 00 00000000 0102030405060708";

    // sadb_prop {num 1, replay 32} + one sadb_comb (72 bytes): 80 bytes, len 10.
    public const string Proposal = "0a00 0d00 01 20 0000" +
        " 05 0c 0100 0001 0001 8000 0001 00000000" + // auth, encrypt, flags, auth min/max 256, encrypt min 128 max 256, reserved
        " 00000000 00000000" + // soft/hard allocations
        " 0000000000000000 0000000000000000" + // soft/hard bytes
        " 100e000000000000 201c000000000000" + // soft/hard addtime 3600, 7200
        " 0000000000000000 0000000000000000"; // soft/hard usetime

    // sadb_supported + sadb_alg {id, ivlen, minbits, maxbits, reserved}.
    public const string SupportedAuth = "0300 0e00 00000000 03 00 a000 a000 0000 05 00 0001 0001 0000";
    public const string SupportedEncrypt = "0200 0f00 00000000 0c 10 8000 0001 0000";
    public const string SupportedComp = "0200 1e00 00000000 02 00 0000 0000 0000";

    // sadb_spirange: min 0x100, max 0xffffffff, reserved.
    public const string SpiRange = "0200 1000 00010000 ffffffff 00000000";

    // sadb_protocol {proto, direction, flags, reserved}: PROTOCOL tcp; FLOW_TYPE REQUIRE out; SATYPE2 IPIP.
    public const string Protocol = "0100 1300 06 00 00 00";
    public const string FlowType = "0100 1400 03 02 00 00";
    public const string SaType2 = "0100 2300 07 00 00 00";

    public const string Policy = "0100 1900 2a000000";

    // sadb_x_udpencap: port 4500 in network order.
    public const string UdpEncap = "0100 1f00 1194 0000";

    // sadb_x_tag: taglen 4 ("vpn\0"), padded to 8.
    public const string Tag = "0200 2100 04000000 76706e00 00000000";
    public const string Tap = "0100 2200 03000000";

    // sadb_x_counter: pad, then ipackets..ouncompbytes = 1..8.
    public const string Counter = "0900 2400 00000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000" +
        " 0500000000000000 0600000000000000 0700000000000000 0800000000000000";

    public const string Rdomain = "0100 2500 0100 0200";
    public const string Mtu = "0100 2600 78050000";
    public const string Replay = "0200 2700 00000000 0807060504030201";
    public const string Iface = "0200 2800 01000000 01 00000000000000";

    // SADB_X_EXT_LOCAL_CREDENTIALS (26): named, no typed view in pfkeyv2.h 1.95.
    public const string LocalCredentials = "0200 1a00 0100 0000 aabbccdd00000000";

    // Extension type 99: not defined by pfkeyv2.h.
    public const string Unknown99 = "0200 6300 0102030405060708090a0b0c";

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>A message: a hand-laid sadb_msg {version 2, type, errno 0, satype, len, reserved 0, seq, pid} and the extensions.</summary>
    public static byte[] Message(int type, int satype, uint seq, uint pid, params string[] extensions)
    {
        var body = Bytes(string.Concat(extensions));
        var units = (16 + body.Length) / 8;
        var header = Bytes($"02 {type:x2} 00 {satype:x2} {units & 0xff:x2}{units >> 8:x2} 0000 " +
            $"{seq & 0xff:x2}{(seq >> 8) & 0xff:x2}{(seq >> 16) & 0xff:x2}{seq >> 24:x2} " +
            $"{pid & 0xff:x2}{(pid >> 8) & 0xff:x2}{(pid >> 16) & 0xff:x2}{pid >> 24:x2}");
        return [.. header, .. body];
    }
}
