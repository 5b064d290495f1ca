namespace Sasync.Core.Wire;

/// <summary>The capability bits of a <see cref="HelloMessage"/>: what the sender offers on this connection.</summary>
[Flags]
public enum HelloCapabilities : uint
{
    /// <summary>Nothing offered: the connection stays on the legacy frames.</summary>
    None = 0,

    /// <summary>The sender will switch to the extended channel after the FINISHED exchange when the other side offers it too.</summary>
    ExtendedChannel = 1,

    /// <summary>The sender can resync by digest (only ever used on the extended channel).</summary>
    DigestResync = 2,
}
