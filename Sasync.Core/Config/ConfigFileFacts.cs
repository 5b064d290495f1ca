namespace Sasync.Core.Config;

/// <summary>What the file rule needs to know about a configuration file (after following symbolic links).</summary>
/// <param name="IsRegularFile">False for a directory, device, FIFO or socket.</param>
/// <param name="OwnerUid">The owner's uid, or null where the platform cannot tell.</param>
/// <param name="Mode">The permission bits.</param>
public sealed record ConfigFileFacts(bool IsRegularFile, int? OwnerUid, UnixFileMode Mode);
