using System.CommandLine;

namespace Sasync.Cli.Commands;

/// <summary>
/// Turns System.CommandLine's parse errors into our messages: a token nobody takes is an
/// <c>unknown option 'X'</c> when it looks like one, an <c>unexpected argument 'X'</c> otherwise; other errors
/// (a missing or bad value) keep the parser's words.
/// </summary>
internal static class ParseErrors
{
    public static IReadOnlyList<string> Describe(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var messages = new List<string>();
        var unmatched = parse.UnmatchedTokens;
        foreach (var token in unmatched)
        {
            messages.Add(token.Length > 1 && token[0] == '-' ? $"unknown option '{token}'" : $"unexpected argument '{token}'");
        }

        foreach (var error in parse.Errors)
        {
            // The parser reports each unmatched token once more in its own words; those are covered above.
            if (!unmatched.Any(token => error.Message.Contains($"'{token}'", StringComparison.Ordinal)))
            {
                messages.Add(error.Message.TrimEnd('.'));
            }
        }

        return messages;
    }

    /// <summary>The verb's path as typed, e.g. "sim inject", for "sasyncd-cs sim inject: ..." lines.</summary>
    public static string VerbPath(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Add(result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
