using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Sasync.Core.Platform;

namespace Sasync.Core.Privsep;

/// <summary>
/// The privileged end of <see cref="StreamKeyEngine"/>: carries the network process's writes and
/// promiscuous switches to its client of the simulated kernel, in order, and forwards what the
/// kernel delivers. One Done answers every request up to its id: the frames of one read are carried out,
/// then answered at once. Malformed frames end the stream, as a broken PF_KEY socket would.
/// </summary>
internal sealed class KeyStreamHost(Stream stream, IKeyEngine kernel, int maxMessageSize)
{
    /// <summary>Serves until the stream ends or <paramref name="cancellationToken"/>; returns why it stopped.</summary>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = new BatchingFrameWriter(stream, stop.Token);
        var forward = ForwardAsync(writer, stop.Token, kernel);
        var pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        var reader = new PrivsepFrameReader(pipe, PrivsepFrame.MinLength + maxMessageSize);
        try
        {
            while (await reader.ReadAsync(stop.Token).ConfigureAwait(false) is { } first)
            {
                // Everything already buffered is carried out before one Done answers it all (up to its id).
                uint? unanswered = null;
                var frame = first;
                do
                {
                    if (await CarryOutAsync(frame, writer, stop.Token).ConfigureAwait(false))
                    {
                        unanswered = frame.Id;
                    }
                    else
                    {
                        unanswered = null; // the Failed answer covered the ones before it
                    }
                }
                while (reader.TryRead(out frame));

                if (unanswered is { } id)
                {
                    await writer.Enqueue(KeyStreamMessageType.Done, id, [], stop.Token).ConfigureAwait(false);
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

    /// <summary>One request; true when it succeeded (its Done is still owed), false when its Failed answer went out.</summary>
    private async ValueTask<bool> CarryOutAsync(PrivsepFrame frame, BatchingFrameWriter writer, CancellationToken cancellationToken)
    {
        string? error = null;
        var errno = 0;
        try
        {
            switch (frame.Type)
            {
                case KeyStreamMessageType.Write:
                    await kernel.WriteAsync(frame.Body, cancellationToken).ConfigureAwait(false);
                    break;
                case KeyStreamMessageType.Promiscuous when frame.Body.Length == 1 && frame.Body.Span[0] <= 1:
                    await kernel.SetPromiscuousAsync(frame.Body.Span[0] == 1, cancellationToken).ConfigureAwait(false);
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
            return true;
        }

        var body = new byte[4 + Encoding.UTF8.GetByteCount(error)];
        BinaryPrimitives.WriteInt32BigEndian(body, errno);
        Encoding.UTF8.GetBytes(error, body.AsSpan(4));
        await writer.Enqueue(KeyStreamMessageType.Failed, frame.Id, body, cancellationToken).ConfigureAwait(false);
        return false;
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
