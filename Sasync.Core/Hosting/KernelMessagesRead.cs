namespace Sasync.Core.Hosting;

/// <summary>Messages read from our PF_KEY socket in one go, in order: one item for the node instead of one per message.</summary>
public sealed record KernelMessagesRead(IReadOnlyList<ReadOnlyMemory<byte>> Messages);
