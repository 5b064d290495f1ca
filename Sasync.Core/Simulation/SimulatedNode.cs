using Sasync.Core.Platform;

namespace Sasync.Core.Simulation;

/// <summary>
/// Everything the daemon needs from one host's operating system, simulated: the kernel's key
/// engine, the carp interface, the carp group's demote counter and the IKE daemon's control.
/// </summary>
public sealed class SimulatedNode
{
    public SimulatedNode(SimulatedKernelOptions? kernelOptions = null, string carpInterface = "carp0", string carpGroup = "carp")
    {
        Kernel = new SimulatedKernel(kernelOptions);
        Carp = new SimulatedCarp(carpInterface);
        CarpGroup = new SimulatedCarpGroup(carpGroup);
        DaemonControl = new RecordingDaemonControl();
    }

    public SimulatedKernel Kernel { get; }

    public SimulatedCarp Carp { get; }

    public SimulatedCarpGroup CarpGroup { get; }

    public RecordingDaemonControl DaemonControl { get; }

    public ICarpStateSource CarpStateSource => Carp;

    public ICarpDemoter CarpDemoter => CarpGroup;

    public IDaemonControl Daemon => DaemonControl;

    /// <summary>Opens a PF_KEY socket for <paramref name="pid"/> (the daemon's, or an IKE daemon's to inject messages).</summary>
    public SimulatedKeyClient OpenKeyEngine(uint pid) => Kernel.OpenClient(pid);
}
