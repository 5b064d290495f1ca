using Sasync.Core.Sync;

namespace Sasync.Core.Hosting;

/// <summary>The outcome of <see cref="INodeIo.SetPromiscuous"/>; <paramref name="Error"/> is null on success.</summary>
public sealed record PromiscuousSet(bool Enabled, KernelFailure? Error);

/// <summary>The outcome of <see cref="INodeIo.AdjustDemotion"/>; <paramref name="Error"/> is null on success.</summary>
public sealed record DemotionAdjusted(string Group, int Delta, string? Error);
