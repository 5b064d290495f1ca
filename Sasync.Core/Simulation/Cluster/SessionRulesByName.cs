namespace Sasync.Core.Simulation.Cluster;

/// <summary>The session rules a run can be told to use by name (<c>--rules</c>).</summary>
internal static class SessionRulesByName
{
    /// <summary>The rules runs use unless told otherwise.</summary>
    public static bool TryGet(string name, out SessionRulesKind rules)
    {
        rules = name == "legacy" ? SessionRulesKind.Legacy : SessionRulesKind.Current;
        return name is "legacy" or "current";
    }
}
