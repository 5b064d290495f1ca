namespace Sasync.Core;

/// <summary>A node's run state, with the numbers sasyncd puts on the wire (net.h / sasyncd.h).</summary>
public enum RunState : uint
{
    Init = 0,
    Slave = 1,
    Master = 2,
    Fail = 3,
}
