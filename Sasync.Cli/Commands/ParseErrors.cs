using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Sasync.Cli.Commands;

/// <summary>
/// Turns System.CommandLine's parse errors into our messages: a token nobody takes is an
/// <c>unknown option 'X'</c> when it looks like one (and comes before any <c>--</c>), an
/// <c>unexpected argument 'X'</c> otherwise; a missing or repeated value is said in our words; other errors
/// (our validators') pass as they are.
/// </summary>
internal static partial class ParseErrors
{
    public static IReadOnlyList<string> Describe(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var messages = new List<string>();
        var unmatched = parse.UnmatchedTokens;
        var afterDoubleDash = parse.Tokens.SkipWhile(t => t.Type != TokenType.DoubleDash).Skip(1).Select(t => t.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var token in unmatched)
        {
            messages.Add(token.Length > 1 && token[0] == '-' && !afterDoubleDash.Contains(token)
                ? $"unknown option '{token}'"
                : $"unexpected argument '{token}'");
        }

        foreach (var error in parse.Errors)
        {
            // The parser reports each unmatched token once more in its own words; those are covered above.
            if (!unmatched.Any(token => error.Message.Contains($"'{token}'", StringComparison.Ordinal)))
            {
                messages.Add(Reword(error.Message, parse.CommandResult.Command));
            }
        }

        return messages;
    }

    /// <summary>The verb's path as typed, e.g. "sim inject", for "sasyncd-cs sim inject: ..." lines.</summary>
    public static string VerbPath(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is CommandResult parent; result = parent)
        {
            names.Add(result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private static string Reword(string message, Command command)
    {
        if (MissingValue().Match(message) is { Success: true } missing)
        {
            return $"option '{missing.Groups[1].Value}' requires a value";
        }

        if (Repeated().Match(message) is { Success: true } repeated)
        {
            return $"option '{repeated.Groups[1].Value}' given more than once";
        }

        return MissingCommand().IsMatch(message)
            ? $"expected one of {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}"
            : message.TrimEnd('.');
    }

    [GeneratedRegex(@"^Required argument missing for option: '([^']+)'")]
    private static partial Regex MissingValue();

    [GeneratedRegex(@"^Option '([^']+)' expects a single argument but \d+ were provided")]
    private static partial Regex Repeated();

    [GeneratedRegex(@"^Required command was not provided")]
    private static partial Regex MissingCommand();
}
