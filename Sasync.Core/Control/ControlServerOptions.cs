using System.Net.Sockets;

namespace Sasync.Core.Control;

/// <summary>The limits of the control socket; the defaults suit a daemon that scripts and monitoring poll.</summary>
public sealed record ControlServerOptions
{
    /// <summary>Clients served at once; one more is answered <c>too many clients</c> and closed, never queued.</summary>
    public int MaxClients { get; init; } = 512;

    /// <summary>A client that sends nothing for this long between requests is closed (and the close logged).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Each step of a request gets this long: its line from the first byte to the newline, the handler's answer,
    /// and the client taking the reply. A late answer is replied as an error; a late line or reply closes.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The listen backlog: the system's maximum (the kernel caps it at somaxconn) for bursts of clients.</summary>
    public int Backlog { get; init; } = (int)SocketOptionName.MaxConnections;

    /// <summary>The clock of the idle and request timeouts and of the pause after a failed accept.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
