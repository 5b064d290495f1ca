using Sasync.Core.Sync;

namespace Sasync.Core.Privsep;

/// <summary>
/// Which requests the privileged process serves one after the other. Within a lane the order is the network
/// process's (demote before undemote, active before passive of one daemon); lanes do not wait for each other.
/// </summary>
internal enum PrivsepLane
{
    Dump,
    Demotion,
    Isakmpd,
    Iked,
    Config,
    Simulation,
}

/// <summary>The lane of each request.</summary>
internal static class PrivsepLanes
{
    public static readonly PrivsepLane[] All = Enum.GetValues<PrivsepLane>();

    public static PrivsepLane Of(PrivsepRequest request) => request switch
    {
        DumpKernelRequest or DumpCreditRequest => PrivsepLane.Dump,
        DemotionRequest or ReadDemotionRequest => PrivsepLane.Demotion,
        ControlDaemonRequest { Daemon: DaemonKind.Iked } => PrivsepLane.Iked,
        ControlDaemonRequest => PrivsepLane.Isakmpd,
        ReadConfigRequest => PrivsepLane.Config,
        _ => PrivsepLane.Simulation,
    };
}
