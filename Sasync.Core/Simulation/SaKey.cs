using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>What gettdb() finds an SA by: SA type, SPI, destination and routing domain.</summary>
internal readonly record struct SaKey(SadbSaType SaType, uint Spi, AddressKey Destination, uint RoutingDomain);
