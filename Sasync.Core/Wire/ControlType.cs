namespace Sasync.Core.Wire;

/// <summary>Control message types (enum CTLTYPE of net.h 1.5).</summary>
public enum ControlType : uint
{
    /// <summary>Not a control type; an ERROR carrying it refuses PF_KEY data.</summary>
    Reserved = 0,

    /// <summary>STATE: the sender's run state.</summary>
    State = 1,

    /// <summary>ERROR: the sender refuses a message of the type in data.</summary>
    Error = 2,

    /// <summary>ACK: the sender acknowledges a message of the type in data.</summary>
    Ack = 3,

    /// <summary>ENDSNAP: the end of a snapshot.</summary>
    EndSnapshot = 4,

    /// <summary>UNKNOWN: a control message that could not be read; an ERROR carrying it refuses one.</summary>
    Unknown = 5,
}
