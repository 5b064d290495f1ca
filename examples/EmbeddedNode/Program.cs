using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Simulation;

namespace EmbeddedNode;

/// <summary>
/// Embeds one sasyncd node in a Generic Host on the simulated platform: starts it as carp MASTER, writes an
/// SA into its kernel as isakmpd would, shows what the node and its <c>Sasync</c> meter report, and stops.
/// </summary>
public static class Program
{
    private const uint IsakmpdPid = 500;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static Task<int> Main() => RunAsync(Console.Out, CancellationToken.None);

    /// <summary>The whole sample; 0 when the node saw the SA, 1 when something did not happen in time.</summary>
    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        // A real program would set ConfigPath = "/etc/sasyncd.conf" instead, and call ReloadAsync on SIGHUP.
        var config = ConfigParser.Parse("interface carp0\nsharedkey 0x00112233445566778899aabbccddeeff\n");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services
            .AddSasyncd(node =>
            {
                node.Settings = config.Settings;
                node.ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)];
            })
            .UseSimulatedPlatform(new SimulatedPlatformOptions { InitialCarp = CarpState.Master });

        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var node = host.Services.GetRequiredService<SyncNodeService>();
        var platform = host.Services.GetRequiredService<SimulatedPlatformProvider>();
        var simulated = platform.Host!;
        await output.WriteLineAsync($"listening on {string.Join(", ", node.ListenEndPoints)}");

        // As MASTER the node reads every PF_KEY message promiscuously; wait for that before isakmpd writes.
        if (!await WaitAsync(() => simulated.Kernel.Clients.Any(c => c.Pid == platform.Pid && c.IsPromiscuous), cancellationToken))
        {
            await output.WriteLineAsync("the node did not become MASTER");
            return 1;
        }

        await using (var isakmpd = simulated.OpenKeyEngine(IsakmpdPid))
        {
            var sa = IkeDaemonMessages.AddEspSa(IsakmpdPid, 1, 0x4242, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.7"));
            await isakmpd.WriteAsync(sa, cancellationToken);
        }

        var seen = await WaitAsync(async () => (await node.GetStatusAsync(cancellationToken)).Engine.Counters.KernelMessagesSeen > 0, cancellationToken);
        var status = await node.GetStatusAsync(cancellationToken);
        await output.WriteLineAsync($"runState {NodeStatusJson.RunStateName(status.Engine.RunState)}, demoted {status.Engine.Demotion.Held}, SAs in the kernel {simulated.Kernel.Sas.Count()}");
        await output.WriteLineAsync($"kernelMessagesSeen {status.Engine.Counters.KernelMessagesSeen}");

        // The same figures as instruments, as dotnet-counters or OpenTelemetry read them.
        foreach (var (name, value) in ReadMeter(node.Metrics!.Meter))
        {
            await output.WriteLineAsync($"{name} {value}");
        }

        await host.StopAsync(cancellationToken);
        await output.WriteLineAsync("stopped");
        return seen ? 0 : 1;
    }

    /// <summary>
    /// One reading of every instrument of <paramref name="meter"/>. Each node has a meter of its own, all named
    /// <c>Sasync</c>; tools that select by name (dotnet-counters) see every node of the process.
    /// </summary>
    private static SortedDictionary<string, long> ReadMeter(Meter meter)
    {
        var values = new SortedDictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    private static Task<bool> WaitAsync(Func<bool> condition, CancellationToken cancellationToken) =>
        WaitAsync(() => Task.FromResult(condition()), cancellationToken);

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Patience);
        while (!await condition())
        {
            try
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }
}
