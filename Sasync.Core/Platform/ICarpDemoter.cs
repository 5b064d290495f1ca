namespace Sasync.Core.Platform;

/// <summary>The carp group demotion counter (SIOCGIFGATTR / SIOCSIFGATTR on OpenBSD).</summary>
public interface ICarpDemoter
{
    /// <summary>Reads the group's current demote counter.</summary>
    ValueTask<int> ReadAsync(string group, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="delta"/> to the group's demote counter (the kernel refuses a result outside 0..255).</summary>
    ValueTask AdjustAsync(string group, int delta, CancellationToken cancellationToken);
}
