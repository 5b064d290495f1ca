using System.Buffers.Binary;
using System.Net;
using Sasync.Core.Control;
using Sasync.Core.Loopback;
using Sasync.Core.PfKey;
using Sasync.Core.Platform;
using Sasync.Core.Simulation;

namespace Sasync.Core.Hosting;

/// <summary>
/// <c>sim.load</c>: the simulated IKE daemon sets up many tunnels in one request, <c>sas</c> ESP SAs and <c>flows</c>
/// flows for tunnels <c>first</c>.., written to the kernel from its own socket (pid 500) in the kernel's process.
/// The load of a benchmark that must not measure the control socket: with <c>sim.inject</c>, one request per message,
/// the control path (and under privilege separation its hop to the privileged process) would set the pace.
/// </summary>
internal static class SimulatedTunnelLoad
{
    /// <summary>The most SAs, and flows, one request writes.</summary>
    public const int MaxTunnels = 500_000;

    private static readonly IPAddress DefaultSource = IPAddress.Parse("192.0.2.1");

    public static async ValueTask<ControlReply> RunAsync(SimulatedKeyClient ike, ControlRequest request, CancellationToken cancellationToken)
    {
        if (!request.TryGetInt64("sas", out var sas, out var error) || !request.TryGetInt64("flows", out var flows, out error)
            || !request.TryGetInt64("first", out var first, out error) || !request.TryGetString("src", out var sourceText, out error))
        {
            return ControlReply.Failure($"sim.load: {error}");
        }

        if (sas is < 0 or > MaxTunnels || flows is < 0 or > MaxTunnels || first is < 0 or > ClusterWorkload.MaxTunnelIndex)
        {
            return ControlReply.Failure($"sim.load: sas and flows must be 0..{MaxTunnels}, first 0..{ClusterWorkload.MaxTunnelIndex}");
        }

        var source = DefaultSource;
        if (sourceText is not null && !IPAddress.TryParse(sourceText, out source!))
        {
            return ControlReply.Failure($"sim.load: src \"{sourceText}\" is not an address");
        }

        var start = (int)(first ?? 0);
        var (saCount, flowCount) = ((int)(sas ?? 0), (int)(flows ?? 0));
        if (start + Math.Max(saCount, flowCount) > ClusterWorkload.MaxTunnelIndex + 1L)
        {
            return ControlReply.Failure($"sim.load: tunnels past index {ClusterWorkload.MaxTunnelIndex}");
        }

        var refused = 0;
        var firstErrno = 0;
        for (var i = 0; i < Math.Max(saCount, flowCount); i++)
        {
            var tunnel = start + i;
            if (i < saCount)
            {
                await WriteAsync(IkeDaemonMessages.AddEspSa(ike.Pid, (uint)tunnel, ClusterWorkload.Spi(tunnel), source, ClusterWorkload.RemoteGateway)).ConfigureAwait(false);
            }

            if (i < flowCount)
            {
                await WriteAsync(IkeDaemonMessages.AddFlow(ike.Pid, (uint)tunnel, IkeDaemonMessages.Network(tunnel), ClusterWorkload.RemoteNetwork(tunnel), ClusterWorkload.RemoteGateway)).ConfigureAwait(false);
            }
        }

        return refused == 0
            ? ControlReply.Success(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("sas", saCount);
                w.WriteNumber("flows", flowCount);
                w.WriteEndObject();
            })
            : ControlReply.Failure($"sim.load: the kernel refused {refused} of {saCount + flowCount} messages (first errno {firstErrno})");

        async ValueTask WriteAsync(byte[] message)
        {
            try
            {
                await ike.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (KeyEngineException e)
            {
                Refuse(e.Errno);
            }

            // Nobody reads this socket: drop its replies, counting the refusals they carry.
            while (ike.TryRead(out var reply))
            {
                if (reply.Length >= SadbHeader.Size && SadbHeader.Read(reply.Span) is { Errno: not 0 } header && header.Pid == ike.Pid)
                {
                    Refuse(header.Errno);
                }
            }
        }

        void Refuse(int errno)
        {
            refused++;
            firstErrno = firstErrno == 0 ? errno : firstErrno;
        }
    }
}
