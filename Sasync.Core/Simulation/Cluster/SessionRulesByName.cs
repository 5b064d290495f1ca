namespace Sasync.Core.Simulation.Cluster;

/// <summary>The session rules a run can be told to use by name (<c>--rules</c>).</summary>
public static class SessionRulesByName
{
    /// <summary>The rules runs use unless told otherwise.</summary>
    public const string Default = "legacy";

    public static bool TryGet(string name, out Func<ISessionRules>? rules)
    {
        rules = name switch
        {
            "legacy" => () => new LegacySessionRules(),
            _ => null,
        };
        return rules is not null;
    }
}
