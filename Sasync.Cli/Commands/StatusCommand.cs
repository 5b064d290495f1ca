using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace Sasync.Cli.Commands;

/// <summary><c>sasyncd-cs status [--control PATH] [--json]</c>: asks a running daemon how it is doing.</summary>
public static class StatusCommand
{
    internal static Command Create(CliConsole console)
    {
        var control = ControlOptions.Path();
        var json = new Option<bool>("--json") { Arity = ArgumentArity.Zero, Description = "Print the daemon's answer as JSON" };
        var command = new Command("status", "Ask a running daemon for its run state, peers and counters") { control, json };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(control)!, parse.GetValue(json), console, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string control, bool json, CliConsole console, CancellationToken cancellationToken)
    {
        using var reply = await ControlRequests.SendAsync(control, "status", null, console.Error, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            return 1;
        }

        var result = reply.RootElement.GetProperty("result");
        await console.Out.WriteAsync(json ? result.GetRawText() + "\n" : FormatTable(result)).ConfigureAwait(false);
        return 0;
    }

    private static string FormatTable(JsonElement status)
    {
        var text = new StringBuilder();
        text.Append($"run state {status.GetProperty("runState").GetString()}");
        if (status.GetProperty("runStateLocked").GetBoolean())
        {
            text.Append(" (locked by mode)");
        }

        text.Append($", carp group {(status.GetProperty("demoted").GetBoolean() ? "held demoted" : "not held")}\n");
        text.Append($"{"peer",-24} {"session",-8} {"state",-7} {"sent",9} {"received",9} {"snapshots",9}  last error\n");
        foreach (var peer in status.GetProperty("peers").EnumerateArray())
        {
            var state = peer.GetProperty("runState").GetString() ?? "-";
            var error = peer.GetProperty("lastError").GetString() ?? "-";
            text.Append($"{peer.GetProperty("name").GetString(),-24} {(peer.GetProperty("connected").GetBoolean() ? "up" : "down"),-8} {state,-7} ");
            text.Append($"{peer.GetProperty("framesSent").GetInt64(),9} {peer.GetProperty("framesReceived").GetInt64(),9} {peer.GetProperty("snapshotsSent").GetInt64(),9}  {error}\n");
        }

        var counters = status.GetProperty("counters").EnumerateObject()
            .Where(c => c.Value.ValueKind == JsonValueKind.Number)
            .Select(c => $"{c.Name} {c.Value.GetInt64()}");
        text.Append("counters: ").AppendJoin(", ", counters).Append('\n');
        return text.ToString();
    }
}
