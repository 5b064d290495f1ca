namespace Sasync.Core.Wire;

/// <summary>The outcome of one attempt to read a frame from a byte stream.</summary>
public enum FrameReadStatus
{
    /// <summary>The bytes so far are a valid beginning; wait for more.</summary>
    NeedMoreData,

    /// <summary>A frame was decoded and its bytes consumed.</summary>
    Frame,

    /// <summary>The stream is malformed or sent under another key: close the connection.</summary>
    Error,
}
