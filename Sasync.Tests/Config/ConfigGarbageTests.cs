using Sasync.Core.Config;

namespace Sasync.Tests.Config;

public class ConfigGarbageTests
{
    private static readonly string[] Pieces =
    [
        "interface", "group", "flushmode", "listen", "on", "port", "inet", "inet6", "mode", "master", "slave",
        "skipslave", "peer", "sharedkey", "control", "sync", "never", "startup", "isakmpd", "0x", "0x1", "0xzz",
        ConfigText.Hex256, "65536", "500", "192.0.2.1", "::1", "carp0", "#", "\\", "\\\n", "\n", " ", "\t", "\r\n", "\0", "\"", "é", "\ud800",
    ];

    [Fact]
    public void Random_garbage_gives_diagnostics_never_an_exception()
    {
        var random = new Random(20261127);
        for (var round = 0; round < 500; round++)
        {
            var text = round % 2 == 0 ? RandomChars(random) : RandomPieces(random);
            var result = ConfigParser.Parse(text);

            // Every character is a separator, a comment or part of a word: splitting never fails.
            Assert.NotNull(ConfigTokenizer.Split(text));
            Assert.Equal(result.Settings is null, result.Diagnostics.Any(d => d.IsError));
            Assert.All(result.Diagnostics, d =>
            {
                Assert.InRange(d.Line, 1, text.Length + 1);
                Assert.InRange(d.Column, 1, text.Length + 1);
                Assert.False(string.IsNullOrWhiteSpace(d.Message));
                Assert.True(d.Message.Length < 300, d.Message);
            });
            if (result.Settings is null)
            {
                Assert.NotEmpty(result.Diagnostics);
            }
        }
    }

    [Fact]
    public void A_large_garbage_file_is_read_in_one_pass()
    {
        var random = new Random(7);
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(_ => Pieces[random.Next(Pieces.Length)] + " "));
        var result = ConfigParser.Parse(text);
        Assert.NotEmpty(result.Diagnostics);
    }

    private static string RandomChars(Random random)
    {
        var chars = new char[random.Next(0, 200)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(4) == 0 ? " \n\t#\\0x\r"[random.Next(8)] : (char)random.Next(0, 0x3000);
        }

        return new string(chars);
    }

    private static string RandomPieces(Random random) =>
        string.Join(random.Next(3) == 0 ? "" : " ", Enumerable.Range(0, random.Next(0, 40)).Select(_ => Pieces[random.Next(Pieces.Length)]));
}
