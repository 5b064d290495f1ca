namespace Sasync.Core.Privsep;

/// <summary>Writes whole frames to a stream, one at a time, from any thread.</summary>
public sealed class PrivsepFrameWriter(Stream stream) : IDisposable
{
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

        var header = new byte[PrivsepFrame.HeaderSize];
        PrivsepFrame.WriteHeader(header, type, id, (int)bodyLength);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            foreach (var part in parts)
            {
                await stream.WriteAsync(part, cancellationToken).ConfigureAwait(false);
            }

            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
