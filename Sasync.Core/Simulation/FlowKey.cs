namespace Sasync.Core.Simulation;

/// <summary>What an SPD entry is found by: routing domain and flow.</summary>
internal readonly record struct FlowKey(uint RoutingDomain, FlowSpec Flow);
