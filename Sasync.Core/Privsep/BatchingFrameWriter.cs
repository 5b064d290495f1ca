using System.Buffers;
using System.Threading.Channels;

namespace Sasync.Core.Privsep;

/// <summary>
/// Writes frames to a stream from one loop, gathering what is queued into one write: a burst of
/// PF_KEY messages or write answers on the simulated PF_KEY stream then costs one system call, not one
/// each. <see cref="Enqueue"/> returns once the frame is queued (the queue is bounded); a stream error
/// ends the loop, and <see cref="Completion"/> says why.
/// </summary>
internal sealed class BatchingFrameWriter
{
    private const int QueueCapacity = 4096;
    private const int MaxBatchBytes = 256 * 1024;

    private readonly Stream _stream;
    private readonly Channel<byte[]> _frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public BatchingFrameWriter(Stream stream, CancellationToken cancellationToken)
    {
        _stream = stream;
        Completion = Task.Run(() => WriteLoopAsync(cancellationToken), CancellationToken.None);
    }

    /// <summary>Completes when the loop ends: cancelled, <see cref="Complete"/>d, or the stream failed (faulted).</summary>
    public Task Completion { get; }

    public ValueTask Enqueue(byte type, uint id, ReadOnlySpan<byte> body, CancellationToken cancellationToken) =>
        _frames.Writer.WriteAsync(PrivsepFrame.Encode(type, id, body), cancellationToken);

    public void Complete() => _frames.Writer.TryComplete();

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var batch = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            while (await _frames.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (batch.WrittenCount < MaxBatchBytes && _frames.Reader.TryRead(out var frame))
                {
                    batch.Write(frame);
                }

                await _stream.WriteAsync(batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}
