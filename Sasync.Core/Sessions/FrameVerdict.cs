namespace Sasync.Core.Sessions;

/// <summary>
/// What to do with a frame that arrived: hand it to the engine as a frame of the carrier
/// <see cref="CarrierId"/>, or drop it (a HELLO, which the rules consume, or a frame of a connection
/// that was superseded or closed).
/// </summary>
public readonly record struct FrameVerdict(bool Deliver, long CarrierId)
{
    /// <summary>Do not hand the frame to the engine.</summary>
    public static FrameVerdict Drop => default;

    /// <summary>Hand the frame to the engine as a frame of <paramref name="carrierId"/>.</summary>
    public static FrameVerdict To(long carrierId) => new(true, carrierId);
}
