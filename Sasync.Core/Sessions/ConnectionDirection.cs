namespace Sasync.Core.Sessions;

/// <summary>Who opened a connection: we dialled it, or the peer did and we accepted it.</summary>
public enum ConnectionDirection
{
    /// <summary>We dialled the peer.</summary>
    Outbound,

    /// <summary>The peer dialled us and we accepted.</summary>
    Inbound,
}
