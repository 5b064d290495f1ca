using System.Net;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// An immutable view of one SA in the simulated SADB. A larval SA (reserved by GETSPI) has
/// <see cref="State"/> Larval and carries the SA type it was reserved for.
/// </summary>
public sealed record SimulatedSa(
    SadbSaType SaType,
    uint Spi,
    IPAddress? Source,
    IPAddress Destination,
    SadbSaState State,
    uint RoutingDomain,
    bool HasAuthenticationKey,
    bool HasEncryptionKey,
    uint Mtu)
{
    /// <summary>One line: SA type, SPI in hex, addresses, state and routing domain when not 0; never key material.</summary>
    public override string ToString() =>
        $"{SaType} spi 0x{Spi:x8} {Source?.ToString() ?? "-"} -> {Destination} {State}{(RoutingDomain != 0 ? $" rdomain {RoutingDomain}" : "")}";
}
