using System.Buffers;

namespace Sasync.Core.Privsep;

/// <summary>Writes whole frames to a stream, one at a time, from any thread.</summary>
internal sealed class PrivsepFrameWriter(Stream stream) : IDisposable
{
    private const int SmallFrameBody = 16 * 1024;

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Writes one frame whose body is the concatenation of <paramref name="parts"/>.</summary>
    public async ValueTask WriteAsync(byte type, uint id, CancellationToken cancellationToken, params ReadOnlyMemory<byte>[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var bodyLength = 0L;
        foreach (var part in parts)
        {
            bodyLength += part.Length;
        }

        if (bodyLength > int.MaxValue - PrivsepFrame.HeaderSize)
        {
            throw new ArgumentOutOfRangeException(nameof(parts), $"a frame body of {bodyLength} bytes is too large");
        }

        // A small frame goes out in one write (one system call); a big one (a dump) without copying its parts.
        var small = bodyLength <= SmallFrameBody;
        var header = ArrayPool<byte>.Shared.Rent(PrivsepFrame.HeaderSize + (small ? (int)bodyLength : 0));
        try
        {
            PrivsepFrame.WriteHeader(header, type, id, (int)bodyLength);
            var length = PrivsepFrame.HeaderSize;
            if (small)
            {
                foreach (var part in parts)
                {
                    part.Span.CopyTo(header.AsSpan(length));
                    length += part.Length;
                }
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(header.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                if (!small)
                {
                    foreach (var part in parts)
                    {
                        await stream.WriteAsync(part, cancellationToken).ConfigureAwait(false);
                    }
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            // It may have held a configuration or key material.
            ArrayPool<byte>.Shared.Return(header, clearArray: true);
        }
    }

    public void Dispose() => _gate.Dispose();
}
