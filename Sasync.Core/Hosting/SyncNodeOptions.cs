using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Sasync.Core.Config;
using Sasync.Core.Platform;

namespace Sasync.Core.Hosting;

/// <summary>
/// What <see cref="SyncNodeService"/> runs, set through <c>services.AddSasyncd(options =&gt; …)</c>. Mutable,
/// as the options pattern needs; the service reads it once, when it starts.
/// </summary>
public sealed class SyncNodeOptions
{
    /// <summary>
    /// The sasyncd.conf to run and to read again on <see cref="SyncNodeService.ReloadAsync(CancellationToken)"/>.
    /// Needed unless <see cref="Settings"/> is set.
    /// </summary>
    public string? ConfigPath { get; set; }

    /// <summary>Settings to start with instead of reading <see cref="ConfigPath"/> (which then serves reloads only).</summary>
    public SyncSettings? Settings { get; set; }

    /// <summary>
    /// Applies the original's rule to the file itself (owner, type, mode) when reading <see cref="ConfigPath"/>,
    /// with <see cref="ConfigFileInspector"/>; null reads the file without looking at it. The OpenBSD platform
    /// sets <see cref="Config.ConfigFileCheck.Daemon"/> unless this is set.
    /// </summary>
    public ConfigFileCheck? ConfigFileCheck { get; set; }

    /// <summary>How to look at the file for <see cref="ConfigFileCheck"/> (stat(2) on OpenBSD).</summary>
    public IConfigFileInspector? ConfigFileInspector { get; set; }

    /// <summary>Serve the control socket (JSON lines, mode 0600) at this path for <c>sasyncd-cs status</c>; null for none.</summary>
    public string? ControlSocketPath { get; set; }

    /// <summary>Listen here instead of where <c>listen on</c> says (port 0 picks a free port; see <see cref="SyncNodeService.ListenEndPoints"/>).</summary>
    public ImmutableArray<IPEndPoint>? ListenEndPoints { get; set; }

    /// <summary>
    /// Listening sockets handed over by a privileged process (privilege separation) to use instead of binding
    /// the listen addresses; the node owns them from the start.
    /// </summary>
    public ImmutableArray<Socket> ListenSockets { get; set; } = [];

    /// <summary>
    /// The control socket already bound at <see cref="ControlSocketPath"/> by a privileged process (privilege
    /// separation), which also removes its file; null binds the path here.
    /// </summary>
    public Socket? ControlListener { get; set; }

    /// <summary>The daemon's processes, as <c>status</c> shows them; null is this process alone, in the privileged role.</summary>
    public IReadOnlyList<DaemonProcessInfo>? Processes { get; set; }
}
