using System.CommandLine;
using Sasync.Core.Hosting;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>sim add-flow</c>: builds the X_ADDFLOW an IKE daemon writes for a tunnel (an outbound REQUIRE flow for ESP from a
/// local to a remote network via the remote gateway) and injects it into the simulated kernel.
/// </summary>
internal static class SimAddFlowCommand
{
    public static Command Create(CliConsole console)
    {
        var source = SimValues.Network("--src", "10.0.1.0/24", "The local network");
        var destination = SimValues.Network("--dst", "10.0.2.0/24", "The remote network");
        var peer = SimValues.Address("--peer", "198.51.100.1", "The remote gateway the flow's traffic goes to");
        var pid = SimCommand.PidOption();
        var control = ControlOptions.Path();
        var command = new Command("add-flow", "Add an ESP flow to the simulated kernel, as isakmpd or iked would") { source, destination, peer, pid, control };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var writer = (uint)(parse.GetValue(pid) ?? SimulationControlHandler.DefaultInjectPid);
            var local = parse.GetValue(source);
            var remote = parse.GetValue(destination);
            var message = IkeDaemonMessages.AddFlow(
                writer, 1, local.BaseAddress, SimValues.Mask(local), remote.BaseAddress, SimValues.Mask(remote), parse.GetValue(peer)!);
            var exit = await SimCommand.InjectAsync(parse.GetValue(control)!, Convert.ToHexString(message), writer, console, cancellationToken).ConfigureAwait(false);
            if (exit == 0)
            {
                await console.Out.WriteLineAsync($"injected {PfKeyTrace.Describe(message)}").ConfigureAwait(false);
            }

            return exit;
        });
        return command;
    }
}
