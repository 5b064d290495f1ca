using Sasync.Cli.Commands;

namespace Sasync.Cli;

/// <summary>
/// Picks the verb: the first argument names one of the tools below, anything else is the
/// OpenBSD-compatible daemon command line <c>[-dnv] [-c config-file]</c>.
/// </summary>
public static class CommandLine
{
    public const string Usage = "usage: sasyncd-cs [-dnv] [-c config-file] [--platform openbsd|sim] [--control PATH]\n" +
        "                  [--sim-carp master|backup|init] [--sim-demote N] [--isakmpd-fifo PATH] [--iked-socket PATH]\n" +
        "                  [--privsep] [--privsep-user NAME]\n" +
        "       sasyncd-cs status [--control PATH] [--json]\n" +
        "       sasyncd-cs sim carp master|backup|init | inject [--pid N] HEX | dump [--json]  [--control PATH]\n" +
        "       sasyncd-cs check [-c config-file] [--json] [--strict]\n" +
        "       sasyncd-cs decode frame --key KEY [HEX|-]\n" +
        "       sasyncd-cs decode pfkey [HEX|-]\n" +
        "       sasyncd-cs bench codec [--size N] [--seconds S] [--key-bits 128|192|256] [--json]\n" +
        "       sasyncd-cs bench sync [--sas N] [--json]\n" +
        "       sasyncd-cs demo [--nodes N] [--sas N]\n";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var rest = args.Length > 0 ? args[1..] : [];
        switch (args.FirstOrDefault())
        {
            // Each verb lives in Commands/; add one line here per verb.
            case "decode": return await DecodeCommand.RunAsync(rest, stdout, stderr).ConfigureAwait(false);
            case "bench": return await BenchCommand.RunAsync(rest, stdout, stderr, cancellationToken).ConfigureAwait(false);
            case "status": return await StatusCommand.RunAsync(rest, stdout, stderr, cancellationToken).ConfigureAwait(false);
            case "sim": return await SimCommand.RunAsync(rest, stdout, stderr, cancellationToken).ConfigureAwait(false);
            case "demo": return await DemoCommand.RunAsync(rest, stdout, stderr, cancellationToken).ConfigureAwait(false);
            case "help" or "--help" or "-h":
                await stdout.WriteAsync(Usage).ConfigureAwait(false);
                return 0;
            case "check":
                return await CheckCommand.RunAsync(rest, stdout, stderr).ConfigureAwait(false);
            default:
                return await DaemonCommand.RunAsync(args, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
    }
}
