using Sasync.Core.Simulation;

namespace Sasync.Core.Loopback;

/// <summary>
/// Compares the SADBs and SPDs of several simulated kernels: SAs by (satype, spi, destination),
/// flows by everything the SPD dump shows.
/// </summary>
public static class KernelComparison
{
    /// <summary>
    /// The differences between the first kernel and each other one, at most <paramref name="limit"/>
    /// lines per kernel and table; empty when all hold the same SAs and flows.
    /// </summary>
    public static IReadOnlyList<string> Differences(IReadOnlyList<(string Name, SimulatedKernel Kernel)> kernels, int limit = 5)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        var lines = new List<string>();
        if (kernels.Count < 2)
        {
            return lines;
        }

        var (referenceName, reference) = kernels[0];
        var referenceSas = SaKeys(reference);
        var referenceFlows = FlowKeys(reference);
        foreach (var (name, kernel) in kernels.Skip(1))
        {
            Describe(lines, "SA", referenceName, referenceSas, name, SaKeys(kernel), limit);
            Describe(lines, "flow", referenceName, referenceFlows, name, FlowKeys(kernel), limit);
        }

        return lines;
    }

    private static HashSet<string> SaKeys(SimulatedKernel kernel) =>
        [.. kernel.Sas.Select(sa => $"{sa.SaType} spi 0x{sa.Spi:x8} dst {sa.Destination}")];

    private static HashSet<string> FlowKeys(SimulatedKernel kernel) => [.. kernel.Flows.Select(flow => flow.ToString())];

    private static void Describe(List<string> lines, string what, string referenceName, HashSet<string> reference, string name, HashSet<string> other, int limit)
    {
        var missing = reference.Except(other).Order(StringComparer.Ordinal).ToList();
        var extra = other.Except(reference).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            lines.Add($"{name} lacks {missing.Count} {what}(s) that {referenceName} has, e.g. {string.Join("; ", missing.Take(limit))}");
        }

        if (extra.Count > 0)
        {
            lines.Add($"{name} has {extra.Count} {what}(s) that {referenceName} lacks, e.g. {string.Join("; ", extra.Take(limit))}");
        }
    }
}
