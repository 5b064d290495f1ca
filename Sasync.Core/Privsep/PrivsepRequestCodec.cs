using Sasync.Core.Sync;

namespace Sasync.Core.Privsep;

/// <summary>
/// Requests to and from frames. Parsing is strict: every type has an exact body, every value a
/// range, and anything else is refused with a reason (the channel stays usable).
/// </summary>
internal static class PrivsepRequestCodec
{
    /// <summary>The largest <c>sim.*</c> command accepted.</summary>
    public const int MaxSimulationBytes = 64 * 1024;

    /// <summary>The largest frame the privileged side reads: a simulation command and its header.</summary>
    public const int MaxRequestLength = PrivsepFrame.MinLength + MaxSimulationBytes;

    public static byte[] Encode(PrivsepRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request switch
        {
            DumpKernelRequest r => PrivsepFrame.Encode(PrivsepMessageType.DumpKernel, r.Id, []),
            DumpCreditRequest r => PrivsepFrame.Encode(PrivsepMessageType.DumpCredit, r.Id, []),
            DemotionRequest r => PrivsepFrame.Encode(r.Up ? PrivsepMessageType.Demote : PrivsepMessageType.Undemote, r.Id, []),
            ReadDemotionRequest r => PrivsepFrame.Encode(PrivsepMessageType.ReadDemotion, r.Id, []),
            ControlDaemonRequest r => PrivsepFrame.Encode(PrivsepMessageType.ControlDaemon, r.Id, [DaemonByte(r.Daemon), r.Active ? (byte)1 : (byte)0]),
            ReadConfigRequest r => PrivsepFrame.Encode(PrivsepMessageType.ReadConfig, r.Id, []),
            SimulationRequest r => PrivsepFrame.Encode(PrivsepMessageType.Simulation, r.Id, r.Json.Span),
            _ => throw new ArgumentException($"unknown request {request.GetType().Name}", nameof(request)),
        };
    }

    /// <summary>Reads a request out of a frame; false with the reason when the frame is not one.</summary>
    public static bool TryParse(PrivsepFrame frame, out PrivsepRequest? request, out string error)
    {
        request = null;
        error = "";
        var body = frame.Body.Span;
        switch (frame.Type)
        {
            case PrivsepMessageType.DumpKernel or PrivsepMessageType.Demote or PrivsepMessageType.Undemote
                or PrivsepMessageType.ReadDemotion or PrivsepMessageType.ReadConfig or PrivsepMessageType.DumpCredit:
                if (!body.IsEmpty)
                {
                    error = $"request type {frame.Type} takes no body, got {body.Length} bytes";
                    return false;
                }

                request = frame.Type switch
                {
                    PrivsepMessageType.DumpKernel => new DumpKernelRequest(frame.Id),
                    PrivsepMessageType.Demote => new DemotionRequest(frame.Id, Up: true),
                    PrivsepMessageType.Undemote => new DemotionRequest(frame.Id, Up: false),
                    PrivsepMessageType.ReadDemotion => new ReadDemotionRequest(frame.Id),
                    PrivsepMessageType.DumpCredit => new DumpCreditRequest(frame.Id),
                    _ => new ReadConfigRequest(frame.Id),
                };
                return true;

            case PrivsepMessageType.ControlDaemon:
                if (body.Length != 2)
                {
                    error = $"a daemon control request is 2 bytes, got {body.Length}";
                    return false;
                }

                if (body[0] > 1 || body[1] > 1)
                {
                    error = $"a daemon control request names daemon 0 or 1 and state 0 or 1, got {body[0]} and {body[1]}";
                    return false;
                }

                request = new ControlDaemonRequest(frame.Id, body[0] == 0 ? DaemonKind.Isakmpd : DaemonKind.Iked, body[1] == 1);
                return true;

            case PrivsepMessageType.Simulation:
                if (body.IsEmpty || body.Length > MaxSimulationBytes)
                {
                    error = $"a simulation command is 1 to {MaxSimulationBytes} bytes, got {body.Length}";
                    return false;
                }

                request = new SimulationRequest(frame.Id, frame.Body);
                return true;

            default:
                error = $"unknown request type {frame.Type}";
                return false;
        }
    }

    private static byte DaemonByte(DaemonKind daemon) => daemon switch
    {
        DaemonKind.Isakmpd => 0,
        DaemonKind.Iked => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(daemon), daemon, "not an IKE daemon"),
    };
}
