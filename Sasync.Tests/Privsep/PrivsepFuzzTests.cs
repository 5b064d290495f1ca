using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Privsep;
using Sasync.Core.Sync;
using Sasync.Platform.OpenBSD.Privsep;

namespace Sasync.Tests.Privsep;

/// <summary>A hostile network process: random, truncated and out-of-range requests.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivsepFuzzTests
{
    private static readonly string[] FixedSet = ["dump", "demote", "undemote", "read demotion", "Isakmpd active", "Isakmpd passive", "read config"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_requests_get_one_answer_each_and_only_the_fixed_set_is_carried_out(int seed)
    {
        var random = new Random(seed);
        var operations = new RecordingOperations(null, DaemonKind.Isakmpd);
        var server = new PrivilegedServer(operations, NullLogger.Instance);
        using var output = new MemoryStream();
        using var writer = new PrivsepFrameWriter(output);
        var expectedCalls = 0;
        for (var round = 0; round < 5000; round++)
        {
            var frame = RandomFrame(random);
            var callsBefore = operations.Calls.Count;
            var heldBefore = server.HeldDemotion;
            output.SetLength(0);
            await server.ServeAsync(frame, writer, CancellationToken.None);

            var valid = PrivsepRequestCodec.TryParse(frame, out var request, out _);
            var replies = new ReadOnlySequence<byte>(output.ToArray());
            if (request is DumpCreditRequest)
            {
                Assert.True(replies.IsEmpty); // a credit for no dump under way: nothing to answer
                continue;
            }

            // Exactly one answer, to this request: a dump's chunks, then its end.
            Assert.True(PrivsepFrameReader.TryCut(ref replies, PrivsepClient.MaxReplyLength, out var reply));
            while (reply.Type == PrivsepMessageType.DumpChunk)
            {
                Assert.Equal(frame.Id, reply.Id);
                Assert.True(PrivsepFrameReader.TryCut(ref replies, PrivsepClient.MaxReplyLength, out reply));
            }

            Assert.True(replies.IsEmpty);
            Assert.Equal(frame.Id, reply.Id);

            var done = operations.Calls.Count - callsBefore;
            Assert.True(done <= 1);
            if (done == 1)
            {
                expectedCalls++;
                Assert.True(valid, $"type {frame.Type} with {frame.Body.Length} bytes was carried out");
                Assert.Contains(operations.Calls.Last(), FixedSet);
                Assert.NotEqual(PrivsepMessageType.Failed, reply.Type);
            }

            if (!valid || request is ControlDaemonRequest { Daemon: DaemonKind.Iked } || request is SimulationRequest)
            {
                Assert.Equal(0, done);
                Assert.Equal(PrivsepMessageType.Failed, reply.Type);
            }

            Assert.InRange(server.HeldDemotion, 0, PrivilegedServer.MaxHeldDemotion);
            Assert.InRange(server.HeldDemotion - heldBefore, -1, 1);
            Assert.Equal(operations.Demotion, server.HeldDemotion);
        }

        Assert.Equal(expectedCalls, operations.Calls.Count);
        Assert.True(server.Refused > 0);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task A_random_byte_stream_ends_the_channel_without_a_hang_and_does_nothing_unasked(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            var operations = new RecordingOperations(null, DaemonKind.Isakmpd);
            var server = new PrivilegedServer(operations, NullLogger.Instance);
            var (parent, child) = SocketPair.Create();
            var serverStream = new NetworkStream(parent, ownsSocket: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var run = server.RunAsync(serverStream, timeout.Token);
            var garbage = new byte[random.Next(1, 4096)];
            random.NextBytes(garbage);
            using (var hostile = new NetworkStream(child, ownsSocket: true))
            {
                var drain = DrainAsync(hostile, timeout.Token);
                await hostile.WriteAsync(garbage, timeout.Token);
                child.Shutdown(SocketShutdown.Send);
                await run.WaitAsync(timeout.Token);
                await serverStream.DisposeAsync();
                await drain;
            }

            Assert.False(timeout.IsCancellationRequested, "the server hung");
            Assert.All(operations.Calls, call => Assert.Contains(call, FixedSet));
            Assert.InRange(server.HeldDemotion, 0, PrivilegedServer.MaxHeldDemotion);
        }
    }

    [Fact]
    public async Task A_huge_length_breaks_the_channel_at_once_without_waiting_for_or_buffering_its_body()
    {
        var operations = new RecordingOperations();
        var server = new PrivilegedServer(operations, NullLogger.Instance);
        var (parent, child) = SocketPair.Create();
        await using var serverStream = new NetworkStream(parent, ownsSocket: true);
        await using var hostile = new NetworkStream(child, ownsSocket: true);
        var run = server.RunAsync(serverStream, CancellationToken.None);
        // The connection stays open: the server must not wait for the 4 GiB it announces.
        await hostile.WriteAsync(Convert.FromHexString("ffffffff01000000"));
        var reason = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("outside 5..", reason, StringComparison.Ordinal);
        Assert.Empty(operations.Calls);
    }

    [Fact]
    public async Task A_request_cut_short_is_never_carried_out()
    {
        var whole = PrivsepRequestCodec.Encode(new DemotionRequest(1, Up: true));
        for (var cut = 1; cut < whole.Length; cut++)
        {
            var operations = new RecordingOperations();
            var server = new PrivilegedServer(operations, NullLogger.Instance);
            var (parent, child) = SocketPair.Create();
            await using var serverStream = new NetworkStream(parent, ownsSocket: true);
            var run = server.RunAsync(serverStream, CancellationToken.None);
            using (var hostile = new NetworkStream(child, ownsSocket: true))
            {
                // Take the carp notice first: closing on unread data would reset the channel instead of ending it.
                await hostile.ReadExactlyAsync(new byte[PrivsepFrame.HeaderSize + 1]);
                await hostile.WriteAsync(whole.AsMemory(0, cut));
            }

            var reason = await run.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(reason?.Contains("ended inside a frame", StringComparison.Ordinal), $"cut at {cut}: {reason ?? "(null)"}");
            Assert.Empty(operations.Calls);
            Assert.Equal(0, server.HeldDemotion);
        }
    }

    private static PrivsepFrame RandomFrame(Random random)
    {
        // Mostly near the real types and sizes, where mistakes would hide; sometimes anything.
        var type = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)random.Next(0, 9);
        var length = random.Next(10) switch
        {
            < 5 => 0,
            < 8 => random.Next(1, 4),
            8 => random.Next(4, 300),
            _ => random.Next(PrivsepRequestCodec.MaxSimulationBytes - 2, PrivsepRequestCodec.MaxSimulationBytes + 3),
        };
        var body = new byte[length];
        if (random.Next(2) == 0)
        {
            random.NextBytes(body);
        }
        else
        {
            for (var i = 0; i < body.Length; i++)
            {
                body[i] = (byte)random.Next(3);
            }
        }

        return new PrivsepFrame(type, (uint)random.NextInt64(uint.MaxValue + 1L), body);
    }

    private static async Task DrainAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }
}
