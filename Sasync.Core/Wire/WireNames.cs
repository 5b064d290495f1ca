namespace Sasync.Core.Wire;

/// <summary>The names the original uses for wire values, for logs and JSON.</summary>
public static class WireNames
{
    /// <summary>The original's name of a control type ("STATE", "ENDSNAP", ...), or its number.</summary>
    public static string Name(this ControlType type) => type switch
    {
        ControlType.Reserved => "RESERVED",
        ControlType.State => "STATE",
        ControlType.Error => "ERROR",
        ControlType.Ack => "ACK",
        ControlType.EndSnapshot => "ENDSNAP",
        ControlType.Unknown => "UNKNOWN",
        _ => ((uint)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The original's name of a run state ("INIT", "SLAVE", "MASTER", "FAIL"), or its number.</summary>
    public static string Name(this RunState state) => state switch
    {
        RunState.Init => "INIT",
        RunState.Slave => "SLAVE",
        RunState.Master => "MASTER",
        RunState.Fail => "FAIL",
        _ => ((uint)state).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>"control" or "pfkey".</summary>
    public static string Name(this WireMessageType type) => type switch
    {
        WireMessageType.Control => "control",
        WireMessageType.PfKey => "pfkey",
        _ => ((uint)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
