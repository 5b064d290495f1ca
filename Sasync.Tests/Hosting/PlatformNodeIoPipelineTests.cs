using System.Collections.Concurrent;
using System.Collections.Immutable;
using Sasync.Core.Hosting;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;
using Sasync.Core.Sync;
using Sasync.Tests.Support;

namespace Sasync.Tests.Hosting;

public sealed class PlatformNodeIoPipelineTests
{
    [Fact]
    public async Task Queued_writes_are_all_started_before_the_first_finishes_and_their_outcomes_come_in_order()
    {
        var keys = new GatedKeyEngine();
        var host = new SimulatedNode();
        var outcomes = new ConcurrentQueue<object>();
        using var stop = new CancellationTokenSource();
        var io = new PlatformNodeIo(
            new NodePlatform(keys, host.Carp, host.CarpGroup, ImmutableDictionary<DaemonKind, IDaemonControl>.Empty),
            (item, _) =>
            {
                outcomes.Enqueue(item);
                return ValueTask.CompletedTask;
            },
            stop.Token);

        // The first write is in flight, so the next two queue behind it; then the kernel loop runs.
        Assert.Null(io.WriteToKernel(new WriteToKernel("a", Message(SadbMessageType.Add))));
        Assert.Null(io.WriteToKernel(new WriteToKernel("b", Message(SadbMessageType.Delete))));
        Assert.Null(io.WriteToKernel(new WriteToKernel("c", Message(SadbMessageType.Update))));
        var loop = Task.Run(io.RunKernelLoopAsync);

        await Eventually.TrueAsync(() => { lock (keys.Started) { return keys.Started.Count == 3; } }, "all three writes started while the first is unfinished");
        Assert.Empty(outcomes);
        keys.Started[1].SetException(new KeyEngineException(OpenBsdErrno.EINVAL, "refused"));
        keys.Started[2].SetResult();
        Assert.Empty(outcomes); // in order: the first is not done yet
        keys.Started[0].SetResult();
        await Eventually.TrueAsync(() => outcomes.Count == 3, "three outcomes");

        var completed = outcomes.Cast<KernelWriteCompleted>().ToList();
        Assert.Equal(["a", "b", "c"], completed.Select(c => c.Peer));
        Assert.Equal([null, "refused", null], completed.Select(c => c.Failure?.Message));
        Assert.Equal(OpenBsdErrno.EINVAL, completed[1].Failure!.Errno);
        Assert.Equal([SadbMessageType.Add, SadbMessageType.Delete, SadbMessageType.Update], completed.Select(c => c.Type));

        // With nothing queued, the next write goes straight to the engine again.
        keys.CompleteAtOnce = true;
        Assert.NotNull(io.WriteToKernel(new WriteToKernel("d", Message(SadbMessageType.Add))));
        await stop.CancelAsync();
        await loop;
    }

    private static byte[] Message(SadbMessageType type) => [2, (byte)type, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>A key engine whose writes finish when the test says.</summary>
    private sealed class GatedKeyEngine : IKeyEngine
    {
        public List<TaskCompletionSource> Started { get; } = [];

        public bool CompleteAtOnce { get; set; }

        public uint Pid => 1;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            if (CompleteAtOnce)
            {
                return ValueTask.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Started)
            {
                Started.Add(done);
            }

            return new ValueTask(done.Task);
        }

        public ValueTask SetPromiscuousAsync(bool enabled, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }

        public async ValueTask<bool> ReadBatchAsync(KernelMessageBatch batch, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return false;
        }

        public IAsyncEnumerable<KernelDumpChunk> DumpAsync(CancellationToken cancellationToken) => KernelDumpChunks.FromWhole(default, default);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
