namespace Sasync.Core.Wire;

/// <summary>The message type field of a frame (MSG_SYNCCTL / MSG_PFKEYDATA).</summary>
public enum WireMessageType : uint
{
    Control = 0,
    PfKey = 1,
}
