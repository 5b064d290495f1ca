using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>An immutable view of one flow (SPD entry) in the simulated kernel. Flow addresses and ports are masked as the kernel stores them.</summary>
public sealed record SimulatedFlow(
    IPAddress SourceFlow,
    IPAddress SourceMask,
    ushort SourcePort,
    IPAddress DestinationFlow,
    IPAddress DestinationMask,
    ushort DestinationPort,
    byte Protocol,
    SadbDirection Direction,
    SadbFlowType Type,
    SadbSaType SaType,
    IPAddress? Source,
    IPAddress? Destination,
    uint RoutingDomain)
{
    /// <summary>One line: direction, type, SA type, networks, protocol and peer.</summary>
    public override string ToString() =>
        $"{Direction} {Type} {SaType} {SourceFlow}/{SourceMask} -> {DestinationFlow}/{DestinationMask} proto {Protocol} peer {Destination?.ToString() ?? "-"}";
}
