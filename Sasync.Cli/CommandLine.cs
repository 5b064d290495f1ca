using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;
using Sasync.Cli.Commands;
using Sasync.Core.Platform;

namespace Sasync.Cli;

/// <summary>
/// The whole command line, one System.CommandLine tree: the root is the OpenBSD-compatible daemon
/// <c>[-dnv] [-c config-file]</c>, and each verb is a subcommand built by its class in Commands/.
/// </summary>
public static class CommandLine
{
    public const string Usage = "usage: sasyncd-cs [-dnv] [-c config-file] [--platform openbsd|sim] [--control PATH]\n" +
        "                  [--sim-carp master|backup|init] [--sim-demote N] [--isakmpd-fifo PATH] [--iked-socket PATH]\n" +
        "                  [--privsep] [--privsep-user NAME]\n" +
        "       sasyncd-cs --version | --help | VERB --help\n" +
        "       sasyncd-cs check [-c config-file] [--json] [--strict] [--check-mode]\n" +
        "       sasyncd-cs status [--control PATH] [--json]\n" +
        "       sasyncd-cs sim carp master|backup|init | dump [--json] | inject [--pid N] HEX   [--control PATH]\n" +
        "       sasyncd-cs sim add-sa [--spi N] [--src A] [--dst A] [--enc-key HEX] [--auth-key HEX] [--pid N] [--control PATH]\n" +
        "       sasyncd-cs sim add-flow [--src NET] [--dst NET] [--peer A] [--pid N] [--control PATH]\n" +
        "       sasyncd-cs decode frame --key KEY [HEX|-]\n" +
        "       sasyncd-cs decode pfkey [HEX|-]\n" +
        "       sasyncd-cs bench codec [--size N] [--seconds S] [--key-bits 128|192|256] [--json]\n" +
        "       sasyncd-cs bench sync [--sas N] [--json]\n" +
        "       sasyncd-cs demo [--nodes N] [--sas N]\n";

    /// <summary>
    /// The verbs. To add one, write Commands/NameCommand.cs with <c>internal static Command Create(CliConsole console)</c>
    /// and add it here (and to <see cref="Usage"/>, the README and the manual page).
    /// </summary>
    private static readonly Func<CliConsole, Command>[] Verbs =
    [
        CheckCommand.Create,
        StatusCommand.Create,
        SimCommand.Create,
        DecodeCommand.Create,
        BenchCommand.Create,
        DemoCommand.Create,
        SimulateCommand.Create,
        HelpCommand.Create,
    ];

    /// <summary>
    /// No response files (an argument that starts with '@' is an argument), and no bundling by the parser: the daemon
    /// form bundles as getopt does (<see cref="GetoptBundles"/>), the verbs not at all.
    /// </summary>
    internal static ParserConfiguration ParserSettings { get; } = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    /// <summary>The program's version, from the assembly's informational version (without the source revision).</summary>
    public static string Version
    {
        get
        {
            var version = typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            return version.Split('+')[0];
        }
    }

    public static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        TextReader? stdin = null, IConfigFileInspector? inspector = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var console = new CliConsole(stdout, stderr, stdin ?? Console.In, inspector);
        var root = Build(console);
        var daemonForm = args.Length == 0 || !root.Subcommands.Any(verb => verb.Name == args[0]);
        var parse = root.Parse(daemonForm ? GetoptBundles.Expand(args) : args, ParserSettings);
        if (parse.Errors.Count > 0 && !AsksForHelp(parse, root))
        {
            return await ReportAsync(parse, stderr).ConfigureAwait(false);
        }

        return await parse.InvokeAsync(
            new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                // The daemon handles its own signals, and a failure should surface, not be printed as a stack trace.
                ProcessTerminationTimeout = null,
                EnableDefaultExceptionHandler = false,
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tree; a plain command rather than a RootCommand, whose name would be the host's ("dotnet", "testhost").</summary>
    internal static Command Build(CliConsole console)
    {
        var root = new Command("sasyncd-cs", "Keeps the IPsec SAs and flows of redundant gateways identical: a drop-in sasyncd(8)")
        {
            new HelpOption(),
            new VersionOption { Action = new PrintVersion(console.Out) },
        };

        DaemonCommand.Configure(root, console);
        foreach (var verb in Verbs)
        {
            root.Add(verb(console));
        }

        return root;
    }

    private static bool AsksForHelp(ParseResult parse, Command root) =>
        root.Options.Any(option => option is HelpOption or VersionOption && parse.GetResult(option) is not null);

    /// <summary>"sasyncd-cs VERB: problem" lines and a pointer to the verb's help; for the daemon form the original's usage.</summary>
    private static async Task<int> ReportAsync(ParseResult parse, TextWriter stderr)
    {
        var verb = ParseErrors.VerbPath(parse);
        var prefix = verb.Length == 0 ? "sasyncd-cs" : $"sasyncd-cs {verb}";
        foreach (var message in ParseErrors.Describe(parse))
        {
            await stderr.WriteLineAsync($"{prefix}: {message}").ConfigureAwait(false);
        }

        await stderr.WriteAsync(verb.Length == 0 ? Usage : $"run 'sasyncd-cs {verb} --help' for its options\n").ConfigureAwait(false);
        return 1;
    }

    private sealed class PrintVersion(TextWriter output) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            output.WriteLine($"sasyncd-cs {Version}");
            return 0;
        }
    }
}
