namespace Sasync.Core.Sessions;

/// <summary>Who opened a connection: we dialled it, or the peer did and we accepted it.</summary>
public enum ConnectionDirection
{
    Outbound,
    Inbound,
}
