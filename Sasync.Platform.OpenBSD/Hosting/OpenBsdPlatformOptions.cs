using Sasync.Platform.OpenBSD.Control;

namespace Sasync.Platform.OpenBSD.Hosting;

/// <summary>Where <see cref="OpenBsdPlatformProvider"/> finds the IKE daemons it switches between active and passive.</summary>
public sealed record OpenBsdPlatformOptions
{
    /// <summary>isakmpd's control FIFO.</summary>
    public string IsakmpdFifo { get; init; } = IsakmpdFifoControl.DefaultPath;

    /// <summary>iked's control socket.</summary>
    public string IkedSocket { get; init; } = IkedSocketControl.DefaultPath;
}
