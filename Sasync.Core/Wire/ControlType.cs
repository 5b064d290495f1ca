namespace Sasync.Core.Wire;

/// <summary>Control message types (enum CTLTYPE of net.h 1.5).</summary>
public enum ControlType : uint
{
    Reserved = 0,
    State = 1,
    Error = 2,
    Ack = 3,
    EndSnapshot = 4,
    Unknown = 5,
}
