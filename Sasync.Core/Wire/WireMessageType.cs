namespace Sasync.Core.Wire;

/// <summary>The message type field of a frame (MSG_SYNCCTL / MSG_PFKEYDATA).</summary>
public enum WireMessageType : uint
{
    /// <summary>MSG_SYNCCTL: a 12-byte <see cref="ControlMessage"/>.</summary>
    Control = 0,

    /// <summary>MSG_PFKEYDATA: one PF_KEY v2 message.</summary>
    PfKey = 1,
}
