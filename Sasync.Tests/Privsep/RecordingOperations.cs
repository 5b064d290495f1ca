using System.Collections.Concurrent;
using Sasync.Core.Control;
using Sasync.Core.Platform;
using Sasync.Core.Privsep;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;

namespace Sasync.Tests.Privsep;

/// <summary>Privileged operations that record what they are asked to do, over a simulated carp interface.</summary>
internal sealed class RecordingOperations(IControlHandler? simulation = null, params DaemonKind[] controlled) : IPrivilegedOperations
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public SimulatedCarp SimulatedCarp { get; } = new("carp0");

    public int Demotion { get; private set; }

    /// <summary>The arrays handed out as the last dump, to check they were zeroed.</summary>
    public (byte[] Sadb, byte[] Spd)? LastDump { get; private set; }

    public byte[] ConfigText { get; set; } = "interface carp0\nsharedkey 0x00112233445566778899aabbccddeeff\n"u8.ToArray();

    public ICarpStateSource Carp => SimulatedCarp;

    public string CarpInterface => "carp0";

    public IControlHandler? Simulation => simulation;

    /// <summary>When set, a dump waits for it: a big SADB being read.</summary>
    public TaskCompletionSource? HoldDumps { get; init; }

    /// <summary>When set, the dump is this many pooled SADB chunks of 1000 bytes instead (see <see cref="DumpBuffers"/>).</summary>
    public int BigDumpChunks { get; init; }

    /// <summary>When set, a big dump fails after this many chunks.</summary>
    public int? FailAfterChunks { get; init; }

    /// <summary>The big dump's buffers: how many were out at once.</summary>
    public KernelDumpBuffers DumpBuffers { get; } = new();

    public async IAsyncEnumerable<KernelDumpChunk> DumpKernelAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Calls.Enqueue("dump");
        if (HoldDumps is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        if (BigDumpChunks > 0)
        {
            for (var i = 0; i < BigDumpChunks; i++)
            {
                if (i == FailAfterChunks)
                {
                    throw new KeyEngineException(OpenBsdErrno.ENOMEM, "dump failed midway");
                }

                var buffer = DumpBuffers.Rent();
                buffer.AsSpan(0, 1000).Fill((byte)i);
                yield return DumpBuffers.Lend(KernelDumpTable.Sadb, buffer, 1000);
            }

            yield break;
        }

        var dump = (Sadb: new byte[] { 1, 2, 3, 4, 5 }, Spd: new byte[] { 9, 8, 7 });
        LastDump = dump;
        await foreach (var chunk in KernelDumpChunks.FromWhole(dump.Sadb, dump.Spd, () => { dump.Sadb.AsSpan().Clear(); dump.Spd.AsSpan().Clear(); }))
        {
            yield return chunk;
        }
    }

    public ValueTask AdjustDemotionAsync(int delta, CancellationToken cancellationToken)
    {
        Assert.True(delta is 1 or -1, $"demotion moved by {delta}");
        Calls.Enqueue(delta > 0 ? "demote" : "undemote");
        Demotion += delta;
        return ValueTask.CompletedTask;
    }

    public ValueTask<int> ReadDemotionAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("read demotion");
        return new(Demotion);
    }

    public bool Controls(DaemonKind daemon) => controlled.Contains(daemon);

    public ValueTask SetDaemonActiveAsync(DaemonKind daemon, bool active, CancellationToken cancellationToken)
    {
        Assert.True(Controls(daemon), $"{daemon} switched though not configured");
        Calls.Enqueue($"{daemon} {(active ? "active" : "passive")}");
        return ValueTask.CompletedTask;
    }

    public ValueTask<byte[]> ReadConfigAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("read config");
        return new(ConfigText.ToArray());
    }
}
