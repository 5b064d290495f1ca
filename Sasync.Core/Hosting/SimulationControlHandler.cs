using System.Collections.Concurrent;
using System.Text.Json;
using Sasync.Core.Control;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;

namespace Sasync.Core.Hosting;

/// <summary>
/// The control commands of a daemon on the simulated platform: <c>sim.carp</c> flips the carp link
/// state, <c>sim.inject</c> writes a PF_KEY message as another process would, <c>sim.dump</c> shows
/// the simulated SADB, SPD, demote counter and daemon control calls, <c>sim.load</c> sets up many tunnels at once
/// (<see cref="SimulatedTunnelLoad"/>).
/// </summary>
public sealed class SimulationControlHandler(SimulatedNode host, uint daemonPid) : IControlHandler
{
    /// <summary>The pid <c>sim inject</c> writes as when none is given: an IKE daemon's, not ours.</summary>
    public const uint DefaultInjectPid = 500;

    private readonly ConcurrentDictionary<uint, SimulatedKeyClient> _injectors = new();

    /// <inheritdoc/>
    public async ValueTask<ControlReply> HandleAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request.Command)
        {
            case "sim.carp":
                if (!request.TryGetString("state", out var stateName, out var stateError))
                {
                    return ControlReply.Failure($"sim.carp: {stateError}");
                }

                var state = stateName switch
                {
                    "master" => CarpState.Master,
                    "backup" => CarpState.Backup,
                    "init" => CarpState.Init,
                    _ => (CarpState?)null,
                };
                if (state is null)
                {
                    return ControlReply.Failure("sim.carp: state must be master, backup or init");
                }

                host.Carp.Set(state.Value);
                return ControlReply.Success();

            case "sim.inject":
                return await InjectAsync(request, cancellationToken).ConfigureAwait(false);

            case "sim.dump":
                return ControlReply.Success(WriteDump);

            case "sim.load":
                return await SimulatedTunnelLoad.RunAsync(_injectors.GetOrAdd(DefaultInjectPid, p => host.OpenKeyEngine(p)), request, cancellationToken).ConfigureAwait(false);

            default:
                return ControlReply.Failure($"unknown command \"{request.Command}\"");
        }
    }

    private async ValueTask<ControlReply> InjectAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        // Types first: a wrong one is the client's error to hear about, not an exception in our log.
        if (!request.TryGetInt64("pid", out var pidArgument, out var error) || !request.TryGetString("hex", out var hex, out error))
        {
            return ControlReply.Failure($"sim.inject: {error}");
        }

        var pid = pidArgument ?? DefaultInjectPid;
        if (pid is <= 0 or > uint.MaxValue || pid == daemonPid)
        {
            return ControlReply.Failure($"sim.inject: pid must be a positive number other than the daemon's ({daemonPid})");
        }

        if (hex is null || hex.Length > 2 * SimulatedKernel.MaxMessageSize)
        {
            return ControlReply.Failure($"sim.inject: hex must hold a PF_KEY message of 16 to {SimulatedKernel.MaxMessageSize} bytes");
        }

        byte[] message;
        try
        {
            message = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return ControlReply.Failure("sim.inject: hex must be an even number of hex digits");
        }

        if (message.Length is 0 or > SimulatedKernel.MaxMessageSize)
        {
            return ControlReply.Failure($"sim.inject: a PF_KEY message is 16 to {SimulatedKernel.MaxMessageSize} bytes, not {message.Length}");
        }

        var client = _injectors.GetOrAdd((uint)pid, p => host.OpenKeyEngine(p));
        try
        {
            await client.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (KeyEngineException e)
        {
            return ControlReply.Failure($"sim.inject: the kernel refused the message: {e.Message} (errno {e.Errno})");
        }

        // Nobody reads this socket: drop the kernel's replies so its queue never fills, but report a refusal the
        // kernel gives only in the reply to this message (EEXIST for an SA that exists, ESRCH for one that does not).
        var sent = message.Length >= SadbHeader.Size ? SadbHeader.Read(message) : default;
        var refused = 0;
        while (client.TryRead(out var reply))
        {
            if (reply.Length >= SadbHeader.Size && SadbHeader.Read(reply.Span) is { Errno: not 0 } header
                && header.Sequence == sent.Sequence && header.Pid == sent.Pid && header.Type == sent.Type)
            {
                refused = header.Errno;
            }
        }

        return refused == 0
            ? ControlReply.Success()
            : ControlReply.Failure($"sim.inject: the kernel refused the message (errno {refused})");
    }

    private void WriteDump(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("sas");
        foreach (var sa in host.Kernel.Sas)
        {
            writer.WriteStartObject();
            writer.WriteString("satype", PfKeyNames.SaTypeName(sa.SaType) ?? ((int)sa.SaType).ToString());
            writer.WriteString("spi", $"0x{sa.Spi:x8}");
            writer.WriteString("src", sa.Source?.ToString());
            writer.WriteString("dst", sa.Destination.ToString());
            writer.WriteString("state", PfKeyNames.SaStateName(sa.State) ?? ((int)sa.State).ToString());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("flows");
        foreach (var flow in host.Kernel.Flows)
        {
            writer.WriteStartObject();
            writer.WriteString("src", $"{flow.SourceFlow}/{flow.SourceMask}");
            writer.WriteString("dst", $"{flow.DestinationFlow}/{flow.DestinationMask}");
            writer.WriteString("direction", PfKeyNames.DirectionName(flow.Direction));
            writer.WriteString("type", PfKeyNames.FlowTypeName(flow.Type));
            writer.WriteString("satype", PfKeyNames.SaTypeName(flow.SaType));
            writer.WriteString("peer", flow.Destination?.ToString());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("demoteCounter", host.CarpGroup.DemoteCounter);
        writer.WriteStartArray("daemonControl");
        foreach (var call in host.DaemonControl.Calls)
        {
            writer.WriteStringValue(call);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
