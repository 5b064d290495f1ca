using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sasync.Core.Control;
using Sasync.Core.Platform;

namespace Sasync.Core.Privsep;

/// <summary>
/// The privileged side of the channel: reads requests one at a time, validates each and carries
/// out only the fixed set in <see cref="IPrivilegedOperations"/>, answers each by its id, and sends
/// the carp interface's link state as notices. It keeps count of the demotion it applied, so the
/// host can give it back when the network process is gone.
/// </summary>
internal partial class PrivilegedServer(IPrivilegedOperations operations, ILogger logger)
{
    /// <summary>The most demotion the network process may hold at once (the engine holds one).</summary>
    public const int MaxHeldDemotion = 1;

    private const int MaxErrorBytes = 1024;

    /// <summary>Requests of one kind read ahead of the one being served; then the reader waits.</summary>
    private const int LaneCapacity = 16;

    /// <summary>Dump chunks sent ahead of the network process's credits: its memory for a dump, whatever the SADB's size.</summary>
    public const int DumpWindow = 4;

    // The dump being sent and the credits it may still spend; credits for any other id are stale.
    private DumpSending? _dumpSending;
    private int _heldDemotion;
    private long _refused;

    /// <summary>The net demotion this server applied for the network process.</summary>
    public int HeldDemotion => Volatile.Read(ref _heldDemotion);

    /// <summary>Requests refused (malformed, unknown, or not allowed).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Serves until the channel ends (the network process is gone: returns null) or breaks
    /// (returns why); the requests it refuses do not end it. Requests of different kinds are served
    /// side by side, each kind in the order it came (<see cref="PrivsepLanes"/>): an IKE daemon switch
    /// never waits behind a dump of a big SADB, as it would not in one process.
    /// </summary>
    public async Task<string?> RunAsync(Stream channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        using var writer = new PrivsepFrameWriter(channel);
        var pipe = PipeReader.Create(channel, new StreamPipeReaderOptions(leaveOpen: true));
        var reader = new PrivsepFrameReader(pipe, PrivsepRequestCodec.MaxRequestLength);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var notices = SendCarpNoticesAsync(writer, stop.Token);
        var lanes = PrivsepLanes.All.ToDictionary(lane => lane, lane => Channel.CreateBounded<PrivsepRequest>(
            new BoundedChannelOptions(LaneCapacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait }));
        var serving = lanes.Values.Select(lane => ServeLaneAsync(lane.Reader, writer, stop)).ToList();
        try
        {
            while (await reader.ReadAsync(stop.Token).ConfigureAwait(false) is { } frame)
            {
                if (!PrivsepRequestCodec.TryParse(frame, out var request, out var error))
                {
                    await RefuseAsync(writer, frame.Id, error, stop.Token).ConfigureAwait(false);
                    continue;
                }

                if (request is DumpCreditRequest credit)
                {
                    Credit(credit.Id); // not queued: the dump it frees waits in its lane
                    continue;
                }

                // A full lane holds the reader: a flood of requests waits in the socket, not in our memory.
                await lanes[PrivsepLanes.Of(request!)].Writer.WriteAsync(request!, stop.Token).ConfigureAwait(false);
            }

            return null;
        }
        catch (InvalidDataException e)
        {
            LogBroken(logger, e.Message);
            return e.Message;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return null;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            // What was read is still carried out (at most a lane's capacity each), unless we are stopping.
            foreach (var lane in lanes.Values)
            {
                lane.Writer.TryComplete();
            }

            await Task.WhenAll(serving).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await notices.ConfigureAwait(false);
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Carries out one frame and answers it; used by tests.</summary>
    public async Task ServeAsync(PrivsepFrame frame, PrivsepFrameWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!PrivsepRequestCodec.TryParse(frame, out var request, out var error))
        {
            await RefuseAsync(writer, frame.Id, error, cancellationToken).ConfigureAwait(false);
            return;
        }

        await ServeAsync(request!, writer, cancellationToken).ConfigureAwait(false);
    }

    private async Task ServeLaneAsync(ChannelReader<PrivsepRequest> requests, PrivsepFrameWriter writer, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var request in requests.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await ServeAsync(request, writer, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The channel is gone: stop the reader too, which may be waiting for room in this lane.
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(PrivsepRequest request, PrivsepFrameWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            switch (request)
            {
                case DumpKernelRequest:
                    await DumpAsync(writer, request.Id, cancellationToken).ConfigureAwait(false);
                    return;
                case DumpCreditRequest:
                    Credit(request.Id);
                    return;
                case DemotionRequest demotion:
                    await DemoteAsync(writer, request.Id, demotion.Up, cancellationToken).ConfigureAwait(false);
                    return;
                case ReadDemotionRequest:
                    var counter = await operations.ReadDemotionAsync(cancellationToken).ConfigureAwait(false);
                    var value = new byte[4];
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(value, counter);
                    await writer.WriteAsync(PrivsepMessageType.Counter, request.Id, cancellationToken, value.AsMemory()).ConfigureAwait(false);
                    return;
                case ControlDaemonRequest control when !operations.Controls(control.Daemon):
                    await RefuseAsync(writer, request.Id, $"{control.Daemon} is not a daemon this configuration controls", cancellationToken).ConfigureAwait(false);
                    return;
                case ControlDaemonRequest control:
                    await operations.SetDaemonActiveAsync(control.Daemon, control.Active, cancellationToken).ConfigureAwait(false);
                    await writer.WriteAsync(PrivsepMessageType.Done, request.Id, cancellationToken).ConfigureAwait(false);
                    return;
                case ReadConfigRequest:
                    await ReadConfigAsync(writer, request.Id, cancellationToken).ConfigureAwait(false);
                    return;
                case SimulationRequest simulation:
                    await SimulateAsync(writer, simulation, cancellationToken).ConfigureAwait(false);
                    return;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The operation failed (the kernel, a daemon, the file): say so, keep serving.
            await FailAsync(writer, request.Id, e.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    // Chunk frames, at most DumpWindow ahead of the credits the network process sends back as it reads them,
    // then an empty Dump frame (or Failed, also after some chunks). Each chunk is released (cleared: it holds
    // keys) once written.
    private async Task DumpAsync(PrivsepFrameWriter writer, uint id, CancellationToken cancellationToken)
    {
        using var credits = new SemaphoreSlim(DumpWindow);
        Volatile.Write(ref _dumpSending, new DumpSending(id, credits));
        try
        {
            var tables = new byte[] { 0, 1 };
            await foreach (var chunk in operations.DumpKernelAsync(cancellationToken).ConfigureAwait(false))
            {
                using (chunk)
                {
                    await credits.WaitAsync(cancellationToken).ConfigureAwait(false);
                    var table = tables.AsMemory(chunk.Table == KernelDumpTable.Sadb ? 0 : 1, 1);
                    await writer.WriteAsync(PrivsepMessageType.DumpChunk, id, cancellationToken, table, chunk.Records).ConfigureAwait(false);
                }
            }

            await writer.WriteAsync(PrivsepMessageType.Dump, id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _dumpSending, null);
        }
    }

    private void Credit(uint id)
    {
        // At most the window: extra credits from a confused or hostile sender do not let the dump run ahead.
        if (Volatile.Read(ref _dumpSending) is { } sending && sending.Id == id && sending.Credits.CurrentCount < DumpWindow)
        {
            try
            {
                sending.Credits.Release();
            }
            catch (ObjectDisposedException)
            {
                // the dump ended meanwhile
            }
        }
    }

    private async Task DemoteAsync(PrivsepFrameWriter writer, uint id, bool up, CancellationToken cancellationToken)
    {
        var held = HeldDemotion;
        if (up && held >= MaxHeldDemotion)
        {
            await RefuseAsync(writer, id, $"already holding {held} demotion(s), the most allowed", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!up && held <= 0)
        {
            await RefuseAsync(writer, id, "no demotion held to give back", cancellationToken).ConfigureAwait(false);
            return;
        }

        var delta = up ? 1 : -1;
        await operations.AdjustDemotionAsync(delta, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _heldDemotion, delta);
        await writer.WriteAsync(PrivsepMessageType.Done, id, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadConfigAsync(PrivsepFrameWriter writer, uint id, CancellationToken cancellationToken)
    {
        var text = await operations.ReadConfigAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await writer.WriteAsync(PrivsepMessageType.Bytes, id, cancellationToken, text.AsMemory()).ConfigureAwait(false);
        }
        finally
        {
            Array.Clear(text); // the shared key
        }
    }

    private async Task SimulateAsync(PrivsepFrameWriter writer, SimulationRequest request, CancellationToken cancellationToken)
    {
        if (operations.Simulation is not { } simulation)
        {
            await RefuseAsync(writer, request.Id, "simulation commands need the simulated platform", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!ControlLineProtocol.TryParseRequest(request.Json, out var command, out var error) || !command!.Command.StartsWith("sim.", StringComparison.Ordinal))
        {
            await RefuseAsync(writer, request.Id, command is null ? error : $"\"{command.Command}\" is not a simulation command", cancellationToken).ConfigureAwait(false);
            return;
        }

        var reply = await simulation.HandleAsync(command, cancellationToken).ConfigureAwait(false);
        if (!reply.Ok)
        {
            await FailAsync(writer, request.Id, reply.Error!, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var result = new MemoryStream();
        await using (var json = new Utf8JsonWriter(result))
        {
            if (reply.WriteResult is { } write)
            {
                write(json);
            }
            else
            {
                json.WriteStartObject();
                json.WriteEndObject();
            }
        }

        await writer.WriteAsync(PrivsepMessageType.Bytes, request.Id, cancellationToken, result.GetBuffer().AsMemory(0, (int)result.Length)).ConfigureAwait(false);
    }

    private async Task SendCarpNoticesAsync(PrivsepFrameWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            // The watch yields the current state first, then every change: all of them go across.
            await foreach (var state in operations.Carp.WatchAsync(operations.CarpInterface, cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(PrivsepMessageType.CarpLink, 0, cancellationToken, new[] { (byte)state }).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The channel is gone; RunAsync sees it too.
        }
        catch (Exception e)
        {
            LogCarpFailed(logger, operations.CarpInterface, e.Message);
        }
    }

    private async Task RefuseAsync(PrivsepFrameWriter writer, uint id, string reason, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _refused);
        LogRefused(logger, id, reason);
        await FailAsync(writer, id, reason, cancellationToken).ConfigureAwait(false);
    }

    private static ValueTask FailAsync(PrivsepFrameWriter writer, uint id, string reason, CancellationToken cancellationToken)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(reason);
        return writer.WriteAsync(PrivsepMessageType.Failed, id, cancellationToken, bytes.AsMemory(0, Math.Min(bytes.Length, MaxErrorBytes)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "privsep: refused request {Id} from the network process: {Reason}")]
    private static partial void LogRefused(ILogger logger, uint id, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "privsep: the channel from the network process is broken: {Reason}")]
    private static partial void LogBroken(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "privsep: watching carp interface {Interface} failed: {Reason}")]
    private static partial void LogCarpFailed(ILogger logger, string @interface, string reason);

    private sealed record DumpSending(uint Id, SemaphoreSlim Credits);
}
