namespace Sasync.Core.Privsep;

/// <summary>
/// The frames of the simulated PF_KEY socket that the privileged process hands to the network
/// process on the simulated platform (the real kernel's socket needs none of this). Replies and
/// kernel messages travel the other way.
/// </summary>
internal static class KeyStreamMessageType
{
    public const byte Write = 1;
    public const byte Promiscuous = 2;

    /// <summary>Every request up to this id succeeded (the ones that failed were answered with <see cref="Failed"/>).</summary>
    public const byte Done = 0x81;

    /// <summary>This request failed, and the ones before it that were not answered succeeded. Body: <c>u32 errno | UTF-8 message</c>.</summary>
    public const byte Failed = 0x82;

    /// <summary>A message the kernel delivers to this client; id 0.</summary>
    public const byte Message = 0x41;
}
