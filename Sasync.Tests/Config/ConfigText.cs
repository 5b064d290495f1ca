namespace Sasync.Tests.Config;

/// <summary>Keys and small configurations shared by the config and CLI tests.</summary>
internal static class ConfigText
{
    public const string Hex128 = "0x00112233445566778899aabbccddeeff";
    public const string Hex192 = "0x00112233445566778899aabbccddeeff0011223344556677";
    public const string Hex256 = "0x7f3c9a1d5e2b8f4061c7d3a9e5b1f8204d6a0c3e7b9f1d5a2c8e4b6f0a3d7e91";
    public const string Ascii128 = "sixteen-byte-key";
    public const string Ascii192 = "twenty-four-bytes-of-key";
    public const string Ascii256 = "thirty-two-bytes-of-shared-key!!";

    /// <summary>The two required settings, nothing else.</summary>
    public const string Minimal = "interface carp0\nsharedkey " + Hex256 + "\n";
}
