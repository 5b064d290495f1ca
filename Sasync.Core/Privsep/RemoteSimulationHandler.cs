using Sasync.Core.Control;

namespace Sasync.Core.Privsep;

/// <summary>
/// The network process's answer to <c>sim.*</c> control commands: the simulated kernel lives in the
/// privileged process, so the command goes there and its result comes back as it is.
/// </summary>
internal sealed class RemoteSimulationHandler(PrivsepClient client) : IControlHandler
{
    public async ValueTask<ControlReply> HandleAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Command.StartsWith("sim.", StringComparison.Ordinal))
        {
            return ControlReply.Failure($"unknown command \"{request.Command}\"");
        }

        var json = System.Text.Encoding.UTF8.GetBytes(request.Arguments.GetRawText());
        if (json.Length > PrivsepRequestCodec.MaxSimulationBytes)
        {
            return ControlReply.Failure($"{request.Command}: the request is larger than {PrivsepRequestCodec.MaxSimulationBytes} bytes");
        }

        try
        {
            var result = await client.SimulateAsync(json, cancellationToken).ConfigureAwait(false);
            return ControlReply.Success(w => w.WriteRawValue(result.Span));
        }
        catch (PrivsepException e)
        {
            return ControlReply.Failure(e.Message);
        }
    }
}
