namespace Sasync.Core.Platform;

/// <summary>
/// <see cref="IKeyEngine.ReadBatchAsync"/> for a key engine that reads one message at a time: waits for one from
/// its <see cref="IKeyEngine.ReadAllAsync"/>, then takes those that came without waiting, while they fit. For one reader.
/// </summary>
public sealed class KernelMessageBatchReader : IAsyncDisposable
{
    private readonly IAsyncEnumerator<ReadOnlyMemory<byte>> _messages;
    private ValueTask<bool>? _next;
    private bool _ended;

    /// <summary>Reads <paramref name="messages"/> (started now, ended by <paramref name="cancellationToken"/>).</summary>
    public KernelMessageBatchReader(IAsyncEnumerable<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        _messages = messages.GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>Fills <paramref name="batch"/> (emptied first) with at least one message; false once the stream has ended.</summary>
    public async ValueTask<bool> ReadAsync(KernelMessageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        if (_ended)
        {
            return false;
        }

        // A message that did not fit the last batch is still Current, its MoveNext done.
        var more = _next ?? _messages.MoveNextAsync();
        _next = null;
        if (!await more.ConfigureAwait(false))
        {
            _ended = true;
            return false;
        }

        batch.TryAdd(_messages.Current.Span); // the first always goes in
        while (true)
        {
            more = _messages.MoveNextAsync();
            if (!more.IsCompleted)
            {
                _next = more;
                return true;
            }

            if (!more.GetAwaiter().GetResult())
            {
                _ended = true;
                return true;
            }

            if (!batch.TryAdd(_messages.Current.Span))
            {
                _next = new ValueTask<bool>(true);
                return true;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _messages.DisposeAsync();
}
