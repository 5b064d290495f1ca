namespace Sasync.Core.Hosting;

/// <summary>Messages read from our PF_KEY socket in one go, in order: one item for the node instead of one per message.</summary>
public sealed record KernelMessagesRead(IReadOnlyList<ReadOnlyMemory<byte>> Messages)
{
    /// <summary>The batch whose buffer the messages slice, when they came by <see cref="Platform.IKeyEngine.ReadBatchAsync"/>: read into again once handled.</summary>
    internal Platform.KernelMessageBatch? Batch { get; init; }
}
