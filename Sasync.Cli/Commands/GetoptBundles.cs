namespace Sasync.Cli.Commands;

/// <summary>
/// Spells the daemon form's short flags out as getopt("c:dnv") reads them, before the parser sees them:
/// <c>-dvvc file</c> → <c>-d -v -v -c=file</c>, <c>-cfile</c> → <c>-c=file</c>. The value of <c>-c</c> is attached
/// with '=' so that it stays a value even when it starts with '-' (getopt takes <c>-c -n</c> as the file "-n").
/// Reading stops where getopt stops: at <c>--</c> or the first word that is not an option.
/// </summary>
internal static class GetoptBundles
{
    private const char ValueFlag = 'c';

    /// <summary>Long options that take no value; every other long option of the daemon form takes one.</summary>
    private static readonly string[] LongFlags = ["--help", "--version"];

    public static string[] Expand(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var expanded = new List<string>(args.Count + 4);
        var index = 0;
        for (; index < args.Count; index++)
        {
            var arg = args[index];
            if (arg == "--" || arg.Length < 2 || arg[0] != '-')
            {
                break;
            }

            if (arg[1] == '-')
            {
                expanded.Add(arg);
                if (!arg.Contains('=', StringComparison.Ordinal) && !LongFlags.Contains(arg) && index + 1 < args.Count)
                {
                    expanded.Add(args[++index]);
                }

                continue;
            }

            for (var at = 1; at < arg.Length; at++)
            {
                var flag = arg[at];
                if (flag == ValueFlag)
                {
                    // The value is the rest of this word, or the next word.
                    var value = at + 1 < arg.Length ? arg[(at + 1)..] : index + 1 < args.Count ? args[++index] : null;
                    expanded.Add(value is null ? "-c" : "-c=" + value);
                    break;
                }

                // Known or not, each letter becomes its own option, so an unknown one is named alone.
                expanded.Add("-" + flag);
            }
        }

        for (; index < args.Count; index++)
        {
            expanded.Add(args[index]);
        }

        return [.. expanded];
    }
}
