using Sasync.Core.Config;

namespace Sasync.Tests.Config;

public class ConfigTokenizerTests
{
    private static IEnumerable<(ConfigTokenKind, string, int, int)> Split(string text) =>
        ConfigTokenizer.Split(text)!.Words.Select(t => (t.Kind, t.Text, t.Line, t.Column));

    [Fact]
    public void Words_carry_their_kind_and_one_based_position()
    {
        Assert.Equal(
            [
                (ConfigTokenKind.Word, "listen", 1, 1),
                (ConfigTokenKind.Word, "on", 1, 8),
                (ConfigTokenKind.Word, "192.0.2.1", 1, 11),
                (ConfigTokenKind.Word, "port", 2, 3),
                (ConfigTokenKind.Number, "600", 2, 8),
                (ConfigTokenKind.Hex, "0xAbC", 3, 1),
                (ConfigTokenKind.Word, "0xZZ", 3, 7),
                (ConfigTokenKind.Word, "2001:db8::1", 3, 12),
                (ConfigTokenKind.Number, "12ab", 3, 24),
            ],
            Split("listen on 192.0.2.1\n  port 600\n0xAbC 0xZZ 2001:db8::1 12ab"));
    }

    [Fact]
    public void Comments_and_continuations_separate_words()
    {
        Assert.Equal(
            [(ConfigTokenKind.Word, "a", 1, 1), (ConfigTokenKind.Word, "b", 2, 1), (ConfigTokenKind.Word, "e\\f", 5, 1)],
            Split("a# b c\nb \\\n# c \\\nd\ne\\f"));
    }

    [Theory]
    [InlineData("a\\\rb", new[] { "a\\", "b" })]
    [InlineData("a\\", new[] { "a\\" })]
    [InlineData("\\", new[] { "\\" })]
    [InlineData("\\\n", new string[0])]
    [InlineData("a\\\r\nb", new[] { "a", "b" })]
    [InlineData("#\\\r\nb\nc", new[] { "c" })]
    public void A_backslash_continues_only_before_a_line_break(string text, string[] words) =>
        Assert.Equal(words, ConfigTokenizer.Split(text)!.Words.Select(t => t.Text));

    [Fact]
    public void End_position_is_just_past_the_text()
    {
        var tokens = ConfigTokenizer.Split("a\nbc # x")!;
        Assert.Equal((2, 7), (tokens.EndLine, tokens.EndColumn));
    }
}
