namespace Sasync.Core.Platform;

/// <summary>Switches an IKE daemon (isakmpd, iked) between active and passive.</summary>
public interface IDaemonControl
{
    /// <summary>Tells the daemon to be active (MASTER) or passive; throws when the daemon cannot be reached.</summary>
    ValueTask SetActiveAsync(bool active, CancellationToken cancellationToken);
}
