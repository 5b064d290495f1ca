using System.CommandLine;
using System.CommandLine.Parsing;

namespace Sasync.Cli.Commands;

/// <summary>Options and arguments that take one of a few words, refused as "NAME must be a, b or c, not 'x'".</summary>
internal static class Choices
{
    public static Option<T> OneOf<T>(this Option<T> option, params string[] allowed)
    {
        option.Validators.Add(result => Check(result.Tokens, option.Name, allowed, result.AddError));
        return option;
    }

    public static Argument<T> OneOf<T>(this Argument<T> argument, params string[] allowed)
    {
        argument.Validators.Add(result => Check(result.Tokens, argument.Name, allowed, result.AddError));
        return argument;
    }

    /// <summary>
    /// A word for an argument that starts with '-' is an option nobody knows, not the argument's value (the parser
    /// would hand "--foo" to a free HEX argument); a lone "-" stays a value (stdin).
    /// </summary>
    public static Argument<T> NotAnOption<T>(this Argument<T> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.Length > 1 && t.Value[0] == '-'))
            {
                result.AddError($"unknown option '{token.Value}'");
            }
        });
        return argument;
    }

    private static void Check(IReadOnlyList<Token> tokens, string name, string[] allowed, Action<string> error)
    {
        foreach (var token in tokens)
        {
            if (!allowed.Contains(token.Value, StringComparer.Ordinal))
            {
                var words = allowed.Length == 1 ? allowed[0] : $"{string.Join(", ", allowed[..^1])} or {allowed[^1]}";
                error($"{name} must be {words}, not '{token.Value}'");
            }
        }
    }
}
