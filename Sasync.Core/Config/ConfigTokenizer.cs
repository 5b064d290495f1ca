using System.Collections.Immutable;
using Pidgin;
using Pidgin.Configuration;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;

namespace Sasync.Core.Config;

/// <summary>
/// Splits sasyncd.conf into whitespace-separated words, as the original's lexer does, plus what its manual
/// promises: <c>#</c> starts a comment anywhere (even inside a word) that runs to the end of the line, and a
/// backslash at the end of a line continues it (so a comment ending in a backslash also covers the next line).
/// Every character is either a separator, part of a comment or part of a word, so splitting cannot fail.
/// </summary>
internal static class ConfigTokenizer
{
    /// <summary>The words, and the position just past the end of the text (for "missing ..." diagnostics).</summary>
    public sealed record Tokens(ImmutableArray<ConfigToken> Words, int EndLine, int EndColumn);

    // A tab is one column, like every other character, so columns count characters.
    private static readonly IConfiguration<char> Positions =
        CharDefaultConfiguration.Instance.WithPosCalculator(c => c == '\n' ? SourcePosDelta.NewLine : SourcePosDelta.OneCol);

    private static bool IsSeparator(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';

    private static readonly Parser<char, Unit> Continuation = Try(Char('\\').Then(EndOfLine)).IgnoreResult();

    private static readonly Parser<char, Unit> Comment =
        Char('#').Then(Continuation.Or(AnyCharExcept('\n').IgnoreResult()).SkipMany());

    private static readonly Parser<char, Unit> Gap =
        OneOf(Token(IsSeparator).IgnoreResult(), Continuation, Comment).SkipMany();

    // A backslash is an ordinary character unless a line break follows it.
    private static readonly Parser<char, char> WordChar = OneOf(
        Token(c => c != '\\' && c != '#' && !IsSeparator(c)),
        Try(Char('\\').Before(Not(Try(EndOfLine)))));

    // A struct, not the ConfigToken class: Many() over a parser of a reference type makes NativeAOT's compiler
    // expand Pidgin's shared generic code into ever deeper IEnumerable<IEnumerable<...>> (warning IL3054), while
    // over a value type each instantiation is exact and the expansion ends at once.
    private readonly record struct WordAt(string Text, SourcePos Start);

    private static readonly Parser<char, WordAt> Word =
        Map((pos, text) => new WordAt(text, pos), CurrentPos, WordChar.AtLeastOnceString());

    private static readonly Parser<char, Tokens> File =
        Map((words, end) => new Tokens([.. words.Select(Classify)], end.Line, end.Col), Gap.Then(Word.Before(Gap).Many()), CurrentPos)
            .Before(End);

    private static ConfigToken Classify(WordAt word) => ConfigToken.Classify(word.Text, word.Start.Line, word.Start.Col);

    /// <summary>The words of <paramref name="text"/>; null only if the grammar above had a gap (a bug).</summary>
    public static Tokens? Split(string text)
    {
        var result = File.Parse(text, Positions);
        return result.Success ? result.Value : null;
    }
}
