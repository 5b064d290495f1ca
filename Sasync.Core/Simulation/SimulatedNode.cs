using Sasync.Core.Platform;

namespace Sasync.Core.Simulation;

/// <summary>
/// Everything the daemon needs from one host's operating system, simulated: the kernel's key
/// engine, the carp interface, the carp group's demote counter and the IKE daemon's control.
/// </summary>
public sealed class SimulatedNode
{
    /// <summary>A host with an empty kernel, a carp interface in INIT, a carp group with counter 0 and a working daemon control.</summary>
    /// <param name="kernelOptions">The kernel's options; the defaults when null.</param>
    /// <param name="carpInterface">The carp interface's name; the configuration's <c>interface</c> must name it.</param>
    /// <param name="carpGroup">The interface group whose demote counter the daemon holds; the configuration's <c>group</c>.</param>
    public SimulatedNode(SimulatedKernelOptions? kernelOptions = null, string carpInterface = "carp0", string carpGroup = "carp")
    {
        Kernel = new SimulatedKernel(kernelOptions);
        Carp = new SimulatedCarp(carpInterface);
        CarpGroup = new SimulatedCarpGroup(carpGroup);
        DaemonControl = new RecordingDaemonControl();
    }

    /// <summary>The kernel: its SADB and SPD, and the PF_KEY sockets open on it.</summary>
    public SimulatedKernel Kernel { get; }

    /// <summary>The carp interface; set its state to play a failover.</summary>
    public SimulatedCarp Carp { get; }

    /// <summary>The carp group and its demote counter.</summary>
    public SimulatedCarpGroup CarpGroup { get; }

    /// <summary>The IKE daemon's control, which records every active/passive switch.</summary>
    public RecordingDaemonControl DaemonControl { get; }

    /// <summary><see cref="Carp"/> as the platform interface the node reads.</summary>
    public ICarpStateSource CarpStateSource => Carp;

    /// <summary><see cref="CarpGroup"/> as the platform interface the node demotes through.</summary>
    public ICarpDemoter CarpDemoter => CarpGroup;

    /// <summary><see cref="DaemonControl"/> as the platform interface the node switches.</summary>
    public IDaemonControl Daemon => DaemonControl;

    /// <summary>Opens a PF_KEY socket for <paramref name="pid"/> (the daemon's, or an IKE daemon's to inject messages).</summary>
    public SimulatedKeyClient OpenKeyEngine(uint pid) => Kernel.OpenClient(pid);
}
