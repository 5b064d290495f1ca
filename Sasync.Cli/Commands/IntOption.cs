using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Sasync.Cli.Commands;

/// <summary>Numeric options with a default and an allowed range, refused with one clear sentence ("--sas must be 1..1000000, not 'many'").</summary>
internal static class IntOption
{
    public static Option<int> InRange(string name, int defaultValue, int min, int max, string description) => new(name)
    {
        DefaultValueFactory = _ => defaultValue,
        Description = $"{description} ({min}..{max})",
        HelpName = "N",
        CustomParser = result => Parse(result, name, min, max, text =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : (int?)null) ?? defaultValue,
    };

    public static Option<long?> Optional(string name, long min, long max, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => null,
        HelpName = "N",
        CustomParser = result => Parse(result, name, min, max, text =>
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : (long?)null),
    };

    public static Option<double> Seconds(string name, double defaultValue, double max, string description) => new(name)
    {
        DefaultValueFactory = _ => defaultValue,
        Description = $"{description} (over 0, at most {max.ToString(CultureInfo.InvariantCulture)})",
        HelpName = "S",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= max)
            {
                return value;
            }

            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be over 0 and at most {max}, not '{text}'"));
            return defaultValue;
        },
    };

    private static T? Parse<T>(ArgumentResult result, string name, long min, long max, Func<string, T?> parse) where T : struct, IConvertible
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (parse(text) is { } value && value.ToInt64(CultureInfo.InvariantCulture) is var number && number >= min && number <= max)
        {
            return value;
        }

        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be {min}..{max}, not '{text}'"));
        return null;
    }
}
