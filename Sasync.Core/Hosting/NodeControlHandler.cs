using Sasync.Core.Control;

namespace Sasync.Core.Hosting;

/// <summary>
/// Answers the control socket for a running node: <c>status</c> on every platform, and whatever an
/// extra handler (the simulated platform's <c>sim.*</c> commands) understands.
/// </summary>
public sealed class NodeControlHandler(SyncNode node, IControlHandler? extra = null, IReadOnlyList<DaemonProcessInfo>? processes = null) : IControlHandler
{
    /// <inheritdoc/>
    public async ValueTask<ControlReply> HandleAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Command == "status")
        {
            var status = await node.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            return ControlReply.Success(w => NodeStatusJson.Write(w, status, processes ?? []));
        }

        return extra is null
            ? ControlReply.Failure($"unknown command \"{request.Command}\"")
            : await extra.HandleAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
