using System.CommandLine;
using System.Text;
using System.Text.Json;
using Sasync.Core.Hosting;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>sasyncd-cs sim carp|inject|dump|add-sa|add-flow</c>: drives a daemon that runs on the simulated platform
/// through its control socket.
/// </summary>
public static class SimCommand
{
    internal static Command Create(CliConsole console)
    {
        var command = new Command("sim", "Drive a daemon that runs with --platform sim through its control socket")
        {
            Carp(console),
            Inject(console),
            Dump(console),
            SimAddSaCommand.Create(console),
            SimAddFlowCommand.Create(console),
        };
        return command;
    }

    /// <summary>Writes <paramref name="message"/> into the simulated kernel as the process <paramref name="pid"/> (null: the daemon's default, 500).</summary>
    internal static async Task<int> InjectAsync(string control, string hex, long? pid, CliConsole console, CancellationToken cancellationToken)
    {
        using var reply = await ControlRequests.SendAsync(control, "sim.inject", w =>
        {
            w.WriteString("hex", hex);
            if (pid is { } p)
            {
                w.WriteNumber("pid", p);
            }
        }, console.Error, cancellationToken).ConfigureAwait(false);
        return reply is null ? 1 : 0;
    }

    /// <summary>The <c>--pid N</c> an injected message is written as; see the README for the rule.</summary>
    internal static Option<long?> PidOption() => IntOption.Optional(
        "--pid",
        1,
        uint.MaxValue,
        $"Write as this process: the message's sadb_msg_pid and the writing socket's (default {SimulationControlHandler.DefaultInjectPid}, an IKE daemon's; never the daemon's own, whose messages are not relayed)");

    private static Command Carp(CliConsole console)
    {
        var control = ControlOptions.Path();
        var state = new Argument<string>("state") { Description = "master, backup or init" }.NotAnOption().OneOf("master", "backup", "init");
        var command = new Command("carp", "Set the simulated carp interface's state") { state, control };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var reply = await ControlRequests.SendAsync(
                parse.GetValue(control)!, "sim.carp", w => w.WriteString("state", parse.GetValue(state)), console.Error, cancellationToken).ConfigureAwait(false);
            return reply is null ? 1 : 0;
        });
        return command;
    }

    private static Command Inject(CliConsole console)
    {
        var control = ControlOptions.Path();
        var pid = PidOption();
        var hex = new Argument<string>("HEX") { Description = "The whole PF_KEY message in hex, as an IKE daemon writes it" }.NotAnOption();
        var command = new Command("inject", "Write a PF_KEY message into the simulated kernel as an IKE daemon would") { hex, pid, control };
        command.SetAction((parse, cancellationToken) => InjectAsync(parse.GetValue(control)!, parse.GetValue(hex)!, parse.GetValue(pid), console, cancellationToken));
        return command;
    }

    private static Command Dump(CliConsole console)
    {
        var control = ControlOptions.Path();
        var json = new Option<bool>("--json") { Arity = ArgumentArity.Zero, Description = "Print the dump as JSON" };
        var command = new Command("dump", "Show the simulated SADB, SPD, demote counter and daemon control calls") { json, control };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var reply = await ControlRequests.SendAsync(parse.GetValue(control)!, "sim.dump", null, console.Error, cancellationToken).ConfigureAwait(false);
            if (reply is null)
            {
                return 1;
            }

            var result = reply.RootElement.GetProperty("result");
            await console.Out.WriteAsync(parse.GetValue(json) ? result.GetRawText() + "\n" : FormatDump(result)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static string FormatDump(JsonElement dump)
    {
        var text = new StringBuilder();
        var sas = dump.GetProperty("sas");
        text.Append($"SADB: {sas.GetArrayLength()} SA(s)\n");
        foreach (var sa in sas.EnumerateArray())
        {
            text.Append($"  {sa.GetProperty("satype").GetString(),-6} spi {sa.GetProperty("spi").GetString()} {sa.GetProperty("src").GetString() ?? "-"} -> {sa.GetProperty("dst").GetString()} {sa.GetProperty("state").GetString()}\n");
        }

        var flows = dump.GetProperty("flows");
        text.Append($"SPD: {flows.GetArrayLength()} flow(s)\n");
        foreach (var flow in flows.EnumerateArray())
        {
            text.Append($"  {flow.GetProperty("direction").GetString() ?? "-",-4} {flow.GetProperty("src").GetString()} -> {flow.GetProperty("dst").GetString()} {flow.GetProperty("type").GetString()} peer {flow.GetProperty("peer").GetString() ?? "-"}\n");
        }

        text.Append($"carp demote counter: {dump.GetProperty("demoteCounter").GetInt32()}\n");
        text.Append("daemon control: ").AppendJoin(", ", dump.GetProperty("daemonControl").EnumerateArray().Select(c => c.GetString())).Append('\n');
        return text.ToString();
    }
}
