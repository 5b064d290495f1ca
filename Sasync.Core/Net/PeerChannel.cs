namespace Sasync.Core.Net;

/// <summary>The framing a peer session uses once its handshake is settled.</summary>
public enum PeerChannel
{
    /// <summary>The original sasyncd's frames (AES-CBC and a clear SHA-1), spoken with every peer that does not upgrade.</summary>
    Legacy,

    /// <summary>The sasyncd-cs extended channel: per-session, per-direction keys and authenticated, sequenced frames.</summary>
    Extended,
}
