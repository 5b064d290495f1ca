using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Sasync.Core.Platform;

namespace Sasync.Core.Privsep;

/// <summary>
/// The privileged end of <see cref="StreamKeyEngine"/>: carries the network process's writes and
/// promiscuous switches to its client of the simulated kernel, in order, and forwards what the
/// kernel delivers. Malformed frames end the stream, as a broken PF_KEY socket would.
/// </summary>
internal sealed class KeyStreamHost(Stream stream, IKeyEngine kernel, int maxMessageSize)
{
    /// <summary>Serves until the stream ends or <paramref name="cancellationToken"/>; returns why it stopped.</summary>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = new BatchingFrameWriter(stream, stop.Token);
        var forward = ForwardAsync(writer, stop.Token, kernel);
        var pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var reader = new PrivsepFrameReader(pipe, PrivsepFrame.MinLength + maxMessageSize);
        try
        {
            while (await reader.ReadAsync(stop.Token).ConfigureAwait(false) is { } frame)
            {
                string? error = null;
                var errno = 0;
                try
                {
                    switch (frame.Type)
                    {
                        case KeyStreamMessageType.Write:
                            await kernel.WriteAsync(frame.Body, stop.Token).ConfigureAwait(false);
                            break;
                        case KeyStreamMessageType.Promiscuous when frame.Body.Length == 1 && frame.Body.Span[0] <= 1:
                            await kernel.SetPromiscuousAsync(frame.Body.Span[0] == 1, stop.Token).ConfigureAwait(false);
                            break;
                        default:
                            (errno, error) = (OpenBsdErrno.EINVAL, $"unknown kernel stream request type {frame.Type}");
                            break;
                    }
                }
                catch (KeyEngineException e)
                {
                    (errno, error) = (e.Errno, e.Message);
                }

                if (error is null)
                {
                    await writer.Enqueue(KeyStreamMessageType.Done, frame.Id, [], stop.Token).ConfigureAwait(false);
                }
                else
                {
                    var body = new byte[4 + Encoding.UTF8.GetByteCount(error)];
                    BinaryPrimitives.WriteInt32BigEndian(body, errno);
                    Encoding.UTF8.GetBytes(error, body.AsSpan(4));
                    await writer.Enqueue(KeyStreamMessageType.Failed, frame.Id, body, stop.Token).ConfigureAwait(false);
                }
            }

            return "the network process closed the kernel stream";
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException or OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            // ChannelClosedException: the writer stopped because the stream failed.
            return e.Message;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await forward.ConfigureAwait(false);
            await pipe.CompleteAsync().ConfigureAwait(false);
            try
            {
                await writer.Completion.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The network process is gone; the reader saw it too.
            }
        }
    }

    private static async Task ForwardAsync(BatchingFrameWriter writer, CancellationToken cancellationToken, IKeyEngine kernel)
    {
        try
        {
            await foreach (var message in kernel.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await writer.Enqueue(KeyStreamMessageType.Message, 0, message.Span, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or KeyEngineException or System.Threading.Channels.ChannelClosedException)
        {
        }
    }
}
