using System.Text;
using System.Text.Json;
using Sasync.Core.Control;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>sasyncd-cs sim carp|inject|dump</c>: drives a daemon that runs on the simulated platform
/// through its control socket.
/// </summary>
public static class SimCommand
{
    public const string Usage =
        "usage: sasyncd-cs sim carp master|backup|init [--control PATH]\n" +
        "       sasyncd-cs sim inject [--control PATH] [--pid N] HEX\n" +
        "       sasyncd-cs sim dump [--control PATH] [--json]\n";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var control = ControlClient.DefaultPath;
        var json = false;
        long? pid = null;
        var words = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--control" when i + 1 < args.Length:
                    control = args[++i];
                    break;
                case "--pid" when i + 1 < args.Length && long.TryParse(args[i + 1], out var number):
                    pid = number;
                    i++;
                    break;
                case "--json":
                    json = true;
                    break;
                default:
                    words.Add(args[i]);
                    break;
            }
        }

        var request = (args.FirstOrDefault(), words.Count, words.FirstOrDefault()) switch
        {
            ("carp", 1, "master" or "backup" or "init") => ("sim.carp", (Action<Utf8JsonWriter>?)(w => w.WriteString("state", words[0]))),
            ("inject", 1, _) => ("sim.inject", w =>
            {
                w.WriteString("hex", words[0]);
                if (pid is { } p)
                {
                    w.WriteNumber("pid", p);
                }
            }),
            ("dump", 0, _) => ("sim.dump", null),
            _ => default,
        };
        if (request.Item1 is null)
        {
            await stderr.WriteAsync(Usage).ConfigureAwait(false);
            return 1;
        }

        using var reply = await ControlRequests.SendAsync(control, request.Item1, request.Item2, stderr, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            return 1;
        }

        if (request.Item1 == "sim.dump")
        {
            var result = reply.RootElement.GetProperty("result");
            await stdout.WriteAsync(json ? result.GetRawText() + "\n" : FormatDump(result)).ConfigureAwait(false);
        }

        return 0;
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
