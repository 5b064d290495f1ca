namespace Sasync.Core.Sessions;

/// <summary>What the first frame on a connection told about the program at the other end.</summary>
public enum PeerKind
{
    /// <summary>Nothing has arrived yet; such a connection is treated by the original's rules.</summary>
    Unknown,

    /// <summary>The first frame was anything but a HELLO: an OpenBSD sasyncd (or an older sasyncd-cs).</summary>
    Original,

    /// <summary>The first frame was a HELLO: another sasyncd-cs.</summary>
    Sasyncd,
}
