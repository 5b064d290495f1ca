using System.CommandLine;
using Sasync.Core.Config;
using Sasync.Core.Control;
using Sasync.Core.Simulation;

namespace Sasync.Cli.Commands;

/// <summary>
/// The daemon form's options: the original's getopt("c:dnv") flags, which bundle as getopt's do
/// (<c>-dv</c>, <c>-vvv</c>, <c>-dvvc file</c>, <c>-cfile</c>; <c>-v</c> counts), and our long options.
/// </summary>
internal sealed class DaemonFlags
{
    public Option<bool> Foreground { get; } = new("-d") { Arity = ArgumentArity.Zero, Description = "Stay in the foreground (it never detaches) and log plain lines to stderr instead of syslog" };

    public Option<bool> CheckOnly { get; } = new("-n") { Arity = ArgumentArity.Zero, Description = "Check the configuration file, print \"configuration OK\" or its errors on stderr, and exit" };

    public Option<bool> Verbose { get; } = new("-v") { Arity = ArgumentArity.Zero, Description = "More verbose: -v state changes, -vv each PF_KEY message, -vvv network and timer detail" };

    public Option<string> Config { get; } = new("-c") { HelpName = "config-file", Description = $"The configuration file (default {ConfigFile.DefaultPath})" };

    public Option<string> Platform { get; } = new Option<string>("--platform") { HelpName = "openbsd|sim", Description = "The real kernel (default) or the simulated one, on any OS" }
        .OneOf("openbsd", "sim");

    public Option<string> Control { get; } = new("--control") { HelpName = "PATH", Description = $"The control socket (default {ControlClient.DefaultPath})" };

    public Option<string> SimulatedCarp { get; } = new Option<string>("--sim-carp") { HelpName = "master|backup|init", Description = "The simulated carp state at start (default backup)" }
        .OneOf("master", "backup", "init");

    public Option<string> IsakmpdFifo { get; } = new("--isakmpd-fifo") { HelpName = "PATH", Description = "isakmpd's control FIFO (default /var/run/isakmpd.fifo; with sim, a real FIFO instead of a recorder)" };

    public Option<string> IkedSocket { get; } = new("--iked-socket") { HelpName = "PATH", Description = "iked's control socket (default /var/run/iked.sock; with sim, a real socket instead of a recorder)" };

    public Option<int> SimulatedDemotion { get; } = IntOption.InRange(
        "--sim-demote", 0, 0, SimulatedCarpGroup.MaxDemoteCounter, "The simulated carp group's demote counter at start, as a boot sequence leaves it");

    public Option<bool> Privsep { get; } = new("--privsep") { Arity = ArgumentArity.Zero, Description = "Privilege separation (on by default with the OpenBSD platform on OpenBSD): a root process keeps what needs root, an unprivileged one faces the network" };

    public Option<bool> NoPrivsep { get; } = new("--no-privsep") { Arity = ArgumentArity.Zero, Description = "One process even on OpenBSD, as before privilege separation (for a system where the network process cannot start)" };

    public Option<string> PrivsepUser { get; } = new("--privsep-user") { HelpName = "NAME", Description = "The user the network process runs as (default _isakmpd on OpenBSD, nobody elsewhere)" };

    // Internal: how the privileged process tells the network process it starts what it inherited.
    public Option<string> PrivsepChild { get; } = new("--privsep-child") { Hidden = true };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { Foreground, CheckOnly, Verbose, Config, Platform, Control, SimulatedCarp, SimulatedDemotion, IsakmpdFifo, IkedSocket, Privsep, NoPrivsep, PrivsepUser, PrivsepChild })
        {
            command.Add(option);
        }
    }

    public DaemonOptions Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var defaults = new DaemonOptions();
        return defaults with
        {
            Foreground = parse.GetValue(Foreground),
            CheckOnly = parse.GetValue(CheckOnly),
            Verbosity = parse.GetResult(Verbose)?.IdentifierTokenCount ?? 0,
            ConfigPath = parse.GetValue(Config) ?? defaults.ConfigPath,
            Platform = parse.GetValue(Platform) == "sim" ? DaemonPlatform.Simulated : DaemonPlatform.OpenBsd,
            ControlPath = parse.GetValue(Control) ?? defaults.ControlPath,
            SimulatedCarp = parse.GetValue(SimulatedCarp) is { } carp ? Enum.Parse<CarpState>(carp, ignoreCase: true) : defaults.SimulatedCarp,
            IsakmpdFifo = parse.GetValue(IsakmpdFifo),
            IkedSocket = parse.GetValue(IkedSocket),
            SimulatedDemotion = parse.GetValue(SimulatedDemotion),
            Privsep = parse.GetValue(Privsep),
            NoPrivsep = parse.GetValue(NoPrivsep),
            PrivsepUser = parse.GetValue(PrivsepUser),
            PrivsepChild = parse.GetValue(PrivsepChild),
        };
    }
}
