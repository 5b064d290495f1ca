using System.Text;
using Sasync.Core.Config;

namespace Sasync.Tests.Config;

public class SharedKeyTests
{
    [Theory]
    [InlineData(ConfigText.Hex128, 128)]
    [InlineData(ConfigText.Hex192, 192)]
    [InlineData(ConfigText.Hex256, 256)]
    [InlineData(ConfigText.Ascii128, 128)]
    [InlineData(ConfigText.Ascii192, 192)]
    [InlineData(ConfigText.Ascii256, 256)]
    public void Hex_and_ascii_keys_of_each_aes_size_are_accepted(string key, int bits)
    {
        var settings = ConfigParser.Parse($"interface carp0 sharedkey {key}").Settings;
        Assert.NotNull(settings);
        Assert.Equal(bits, settings.SharedKey.Bits);
    }

    [Fact]
    public void Hex_key_bytes_are_the_digits_decoded_in_either_case()
    {
        Assert.True(SharedKey.TryParse("0x00112233445566778899AaBbCcDdEeFf", out var key, out _));
        Assert.Equal(Convert.FromHexString("00112233445566778899aabbccddeeff"), key.Bytes.ToArray());
    }

    [Fact]
    public void Ascii_key_bytes_are_the_text_itself()
    {
        Assert.True(SharedKey.TryParse(ConfigText.Ascii128, out var key, out _));
        Assert.Equal(Encoding.ASCII.GetBytes(ConfigText.Ascii128), key.Bytes.ToArray());
    }

    [Theory]
    [InlineData("0x00112233445566778899aabbccddeef", "odd number of digits (31)")]
    [InlineData("0x0", "odd number of digits (1)")]
    [InlineData("0x", "the key is 0 bytes (0 bits)")]
    [InlineData("0x0011", "the key is 2 bytes (16 bits)")]
    [InlineData("0x00112233445566778899aabbccddeeff00", "the key is 17 bytes (136 bits)")]
    [InlineData("0x00112233445566778899aabbccddeefg", "hex digits only")]
    [InlineData("0xsixteen-byte-ke", "hex digits only")]
    [InlineData("fifteen-byte-ke", "the key is 15 bytes (120 bits)")]
    [InlineData("thirty-three-bytes-of-shared-key!", "the key is 33 bytes (264 bits)")]
    public void Bad_keys_are_errors_that_never_quote_the_key(string key, string expected)
    {
        Assert.False(SharedKey.TryParse(key, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);

        var diagnostic = Assert.Single(ConfigParser.Parse($"interface carp0\n  sharedkey {key}").Diagnostics);
        Assert.Equal((2, 13), (diagnostic.Line, diagnostic.Column));
        Assert.Contains(expected, diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1234567890123456", "a word that starts with a digit")]
    [InlineData("9sixteen-byte-ke", "a word that starts with a digit")]
    [InlineData("peer", "the keyword \"peer\"")]
    public void A_key_the_original_lexer_does_not_read_as_a_string_is_refused_without_quoting_it(string key, string found)
    {
        // The first error; a keyword then starts a setting of its own.
        var diagnostic = ConfigParser.Parse($"interface carp0 sharedkey {key}").Diagnostics.First(d => d.IsError);
        Assert.Equal($"expected a key after \"sharedkey\", found {found}", diagnostic.Message[..diagnostic.Message.IndexOf(found, StringComparison.Ordinal)] + found);
        Assert.Equal((1, 27), (diagnostic.Line, diagnostic.Column));
        if (key != "peer")
        {
            Assert.DoesNotContain(key, diagnostic.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_key_never_appears_in_ToString_of_the_key_the_settings_or_the_result()
    {
        var result = ConfigParser.Parse($"interface carp0 sharedkey {ConfigText.Ascii256}");
        var settings = result.Settings!;

        Assert.Equal("SharedKey(256 bits)", settings.SharedKey.ToString());
        Assert.DoesNotContain(ConfigText.Ascii256, settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("256 bits", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ConfigText.Ascii256, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_compare_by_value()
    {
        Assert.True(SharedKey.TryParse(ConfigText.Hex128, out var a, out _));
        Assert.True(SharedKey.TryParse(ConfigText.Hex128.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal), out var b, out _));
        Assert.True(SharedKey.TryParse(ConfigText.Ascii128, out var c, out _));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
