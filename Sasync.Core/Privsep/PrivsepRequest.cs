using Sasync.Core.Sync;

namespace Sasync.Core.Privsep;

/// <summary>
/// A request from the network process to the privileged one. None of them carries a path, a group
/// name or a command: the privileged side acts only on what it was configured with at start.
/// </summary>
internal abstract record PrivsepRequest(uint Id);

/// <summary>The SADB and SPD dumps (sysctl NET_KEY_SADB_DUMP / NET_KEY_SPD_DUMP).</summary>
internal sealed record DumpKernelRequest(uint Id) : PrivsepRequest(Id);

/// <summary>One chunk of dump <paramref name="Id"/> was read: one more may be sent.</summary>
internal sealed record DumpCreditRequest(uint Id) : PrivsepRequest(Id);

/// <summary>The configured carp group's demote counter +1 (<paramref name="Up"/>) or -1.</summary>
internal sealed record DemotionRequest(uint Id, bool Up) : PrivsepRequest(Id);

/// <summary>The configured carp group's demote counter.</summary>
internal sealed record ReadDemotionRequest(uint Id) : PrivsepRequest(Id);

/// <summary>Make one of the configured IKE daemons active or passive.</summary>
internal sealed record ControlDaemonRequest(uint Id, DaemonKind Daemon, bool Active) : PrivsepRequest(Id);

/// <summary>The configuration file the daemon was started with, checked and read (SIGHUP and start).</summary>
internal sealed record ReadConfigRequest(uint Id) : PrivsepRequest(Id);

/// <summary>A <c>sim.*</c> control command for the simulated kernel (only when the platform is simulated).</summary>
internal sealed record SimulationRequest(uint Id, ReadOnlyMemory<byte> Json) : PrivsepRequest(Id);
