using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Sasync.Core.Control;
using Sasync.Core.Hosting;
using Sasync.Core.Loopback;

namespace Sasync.Cli.Privsep.Bench;

/// <summary>The figures of one run of <see cref="DaemonPairBenchmark"/>.</summary>
internal sealed record DaemonPairRun(bool Privsep, double SnapshotSeconds, double RelayPerSecond, double RelaySeconds, double InjectSeconds, double FailoverMilliseconds);

/// <summary>
/// Two <c>--platform sim</c> daemons as separate processes on 127.0.0.1 and 127.0.0.2, with or without
/// <c>--privsep</c>, loaded and timed from outside as an operator would see them:
/// <list type="bullet">
/// <item>snapshot: node 1 (MASTER) holds N SAs and N flows; node 2 starts empty and demoted (as after a reboot);
/// the time from its session to node 1 coming up to its undemote, both from its own status;</item>
/// <item>relay: N more SAs written into node 1's kernel as its IKE daemon would (<c>sim.load</c>, in the kernel's
/// process), until node 2's kernel has taken them all (its <c>kernelWrites</c>);</item>
/// <item>failover: node 1's carp to BACKUP, node 2's to MASTER, until node 2's isakmpd FIFO reads
/// <c>M active</c>; median of five, after one untimed round, each on a settled pair.</item>
/// </list>
/// </summary>
internal static class DaemonPairBenchmark
{
    private const int Failovers = 5;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(2);

    public static async Task<DaemonPairRun> RunAsync(int sas, bool privsep, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("sasync-bench-privsep-");
        try
        {
            return await RunInAsync(directory.FullName, sas, privsep, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<DaemonPairRun> RunInAsync(string directory, int sas, bool privsep, CancellationToken cancellationToken)
    {
        var port = LoopbackPorts.FreePort(2);
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var configs = new string[2];
        for (var node = 1; node <= 2; node++)
        {
            configs[node - 1] = Path.Combine(directory, $"node{node}.conf");
            await File.WriteAllTextAsync(configs[node - 1], string.Create(CultureInfo.InvariantCulture,
                $"listen on 127.0.0.{node} port {port}\npeer 127.0.0.{3 - node}\ninterface carp0\nsharedkey 0x{key}\n"), cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(configs[node - 1], UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var one = Path.Combine(directory, "node1.sock");
        var two = Path.Combine(directory, "node2.sock");
        string[] common = privsep ? ["-d", "--platform", "sim", "--privsep"] : ["-d", "--platform", "sim", "--no-privsep"];
        await using var fifo = await FifoWatch.CreateAsync(Path.Combine(directory, "isakmpd2.fifo")).ConfigureAwait(false);
        await using var master = BenchDaemon.Start([.. common, "--sim-carp", "master", "--control", one, "-c", configs[0]]);
        await WaitAsync(master, "node 1 answers", async () => await TryStatusAsync(one, cancellationToken).ConfigureAwait(false) is not null, cancellationToken).ConfigureAwait(false);

        // Node 1's IKE daemon has set up the tunnels before node 2 boots.
        await LoadAsync(one, first: 0, sas, flows: sas, cancellationToken).ConfigureAwait(false);

        await using var backup = BenchDaemon.Start([.. common, "--sim-demote", "1", "--isakmpd-fifo", Path.Combine(directory, "isakmpd2.fifo"), "--control", two, "-c", configs[1]]);
        JsonElement undemoted = default;
        await WaitAsync(backup, "node 2 undemotes after the snapshot", async () =>
        {
            if (await TryStatusAsync(two, cancellationToken).ConfigureAwait(false) is not { } status)
            {
                return false;
            }

            undemoted = status;
            return !status.GetProperty("demoted").GetBoolean() && status.TryGetProperty("undemotedAt", out var at) && at.ValueKind == JsonValueKind.String;
        }, cancellationToken).ConfigureAwait(false);
        var snapshotSeconds = (undemoted.GetProperty("undemotedAt").GetDateTimeOffset() - undemoted.GetProperty("peers")[0].GetProperty("connectedSince").GetDateTimeOffset()).TotalSeconds;
        var written = KernelWrites(undemoted);
        if (written < 2 * sas)
        {
            throw new BenchmarkFailedException($"node 2 undemoted with {written} kernel writes, fewer than the {2 * sas} of the snapshot");
        }

        // Live changes: node 1's IKE daemon adds N more.
        var relayStart = Stopwatch.GetTimestamp();
        await LoadAsync(one, first: sas, sas, flows: 0, cancellationToken).ConfigureAwait(false);
        var injectSeconds = Stopwatch.GetElapsedTime(relayStart).TotalSeconds;
        await WaitAsync(backup, "node 2's kernel takes the relayed SAs", async () =>
            await TryStatusAsync(two, cancellationToken).ConfigureAwait(false) is { } status && KernelWrites(status) >= written + sas, cancellationToken).ConfigureAwait(false);
        var relaySeconds = Stopwatch.GetElapsedTime(relayStart).TotalSeconds;

        var failovers = new List<double>();
        // One round first, untimed: the first failover of a process pays for compiling its path.
        for (var round = -1; round < Failovers; round++)
        {
            await CarpAsync(one, "backup", cancellationToken).ConfigureAwait(false);
            fifo.Clear();
            var flipped = Stopwatch.GetTimestamp();
            await CarpAsync(two, "master", cancellationToken).ConfigureAwait(false);
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(Patience);
                var active = await fifo.WaitForAsync("M active", wait.Token).ConfigureAwait(false);
                if (round >= 0)
                {
                    failovers.Add(Stopwatch.GetElapsedTime(flipped, active).TotalMilliseconds);
                }
            }

            // Back as it was, settled, before the next round.
            await CarpAsync(two, "backup", cancellationToken).ConfigureAwait(false);
            await CarpAsync(one, "master", cancellationToken).ConfigureAwait(false);
            await WaitAsync(backup, "node 1 MASTER and node 2 SLAVE again", async () =>
                await TryStatusAsync(one, cancellationToken).ConfigureAwait(false) is { } first && first.GetProperty("runState").GetString() == "MASTER"
                && await TryStatusAsync(two, cancellationToken).ConfigureAwait(false) is { } second && second.GetProperty("runState").GetString() == "SLAVE", cancellationToken).ConfigureAwait(false);
            await SettleAsync(one, two, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (daemon, name) in new[] { (master, "node 1"), (backup, "node 2") })
        {
            var exit = await daemon.StopAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new BenchmarkFailedException($"{name} exited {exit} after SIGTERM:\n{daemon.Log}");
            }
        }

        return new DaemonPairRun(privsep, snapshotSeconds, sas / relaySeconds, relaySeconds, injectSeconds, failovers.Order().ElementAt(Failovers / 2));
    }

    /// <summary>Node 1's IKE daemon writes the tunnels into its kernel (<c>sim.load</c>), in the kernel's process, so the control socket does not set the pace.</summary>
    private static async Task LoadAsync(string control, int first, int sas, int flows, CancellationToken cancellationToken)
    {
        using var reply = await ControlClient.RequestAsync(control, "sim.load", w =>
        {
            w.WriteNumber("first", first);
            w.WriteNumber("sas", sas);
            w.WriteNumber("flows", flows);
            w.WriteString("src", LoopbackPorts.Node(1).ToString());
        }, Patience, cancellationToken).ConfigureAwait(false);
        if (!reply.RootElement.GetProperty("ok").GetBoolean())
        {
            throw new BenchmarkFailedException($"sim.load: {reply.RootElement.GetProperty("error").GetString()}");
        }
    }

    private static async Task CarpAsync(string control, string state, CancellationToken cancellationToken)
    {
        using var reply = await ControlClient.RequestAsync(control, "sim.carp", w => w.WriteString("state", state), ControlTimeout, cancellationToken).ConfigureAwait(false);
        if (!reply.RootElement.GetProperty("ok").GetBoolean())
        {
            throw new BenchmarkFailedException($"sim carp {state}: {reply.RootElement.GetProperty("error").GetString()}");
        }
    }

    /// <summary>The daemon's status result; null while it does not answer.</summary>
    private static async Task<JsonElement?> TryStatusAsync(string control, CancellationToken cancellationToken)
    {
        if (!File.Exists(control))
        {
            return null;
        }

        try
        {
            using var reply = await ControlClient.RequestAsync(control, "status", null, ControlTimeout, cancellationToken).ConfigureAwait(false);
            return reply.RootElement.GetProperty("ok").GetBoolean() ? reply.RootElement.GetProperty("result").Clone() : null;
        }
        catch (ControlClientException)
        {
            return null;
        }
    }

    /// <summary>
    /// Until node 1 sends no snapshot and node 2's kernel writes have stopped for a while: a failover is timed on
    /// an idle pair (as <c>bench sync</c> times it), not while node 2 is still taking the snapshot of the last flip.
    /// </summary>
    private static async Task SettleAsync(string one, string two, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long? last = null;
        var quietSince = clock.Elapsed;
        while (clock.Elapsed < Patience)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            if (await TryStatusAsync(one, cancellationToken).ConfigureAwait(false) is not { } first
                || await TryStatusAsync(two, cancellationToken).ConfigureAwait(false) is not { } second)
            {
                continue;
            }

            var writes = KernelWrites(second);
            var sending = first.GetProperty("peers").EnumerateArray().Any(p => p.GetProperty("sendingSnapshot").GetBoolean());
            if (sending || writes != last)
            {
                (last, quietSince) = (writes, clock.Elapsed);
            }
            else if (clock.Elapsed - quietSince > TimeSpan.FromSeconds(1))
            {
                return;
            }
        }

        throw new BenchmarkFailedException($"the pair did not settle within {Patience.TotalSeconds} s");
    }

    private static long KernelWrites(JsonElement status) => status.GetProperty("counters").GetProperty("kernelWrites").GetInt64();

    private static async Task WaitAsync(BenchDaemon daemon, string what, Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (daemon.HasExited)
            {
                throw new BenchmarkFailedException($"waiting until {what}: the daemon exited:\n{daemon.Log}");
            }

            if (clock.Elapsed > Patience)
            {
                throw new BenchmarkFailedException($"{what}: not within {Patience.TotalSeconds} s:\n{daemon.Log}");
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>A benchmark run that could not complete; the message says which step and shows the daemon's last log lines.</summary>
internal sealed class BenchmarkFailedException : Exception
{
    public BenchmarkFailedException() { }

    public BenchmarkFailedException(string message) : base(message) { }

    public BenchmarkFailedException(string message, Exception innerException) : base(message, innerException) { }
}
