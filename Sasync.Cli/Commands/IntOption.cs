using System.CommandLine;
using System.Globalization;

namespace Sasync.Cli.Commands;

/// <summary>Integer and decimal options with a default and an allowed range, refused with one clear sentence.</summary>
internal static class IntOption
{
    public static Option<int> InRange(string name, int defaultValue, int min, int max, string description)
    {
        var option = new Option<int>(name)
        {
            DefaultValueFactory = _ => defaultValue,
            Description = $"{description} ({min}..{max}, default {defaultValue})",
            HelpName = "N",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var value && (value < min || value > max))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be {min}..{max}, not {value}"));
            }
        });
        return option;
    }
}
