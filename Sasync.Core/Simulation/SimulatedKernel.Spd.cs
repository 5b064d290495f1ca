using Sasync.Core.PfKey;
using Sasync.Core.Platform;

namespace Sasync.Core.Simulation;

// X_ADDFLOW and X_DELFLOW: the SPD.
public sealed partial class SimulatedKernel
{
    private const byte PolicyFlagStatic = 0x01; // SADB_X_POLICYFLAGS_POLICY

    private int AddOrDeleteFlow(KernelRequest request, uint routingDomain, bool delete)
    {
        var flowType = request.Required(SadbExtensionType.XFlowType).Span;
        if ((SadbDirection)flowType[5] is not (SadbDirection.In or SadbDirection.Out))
        {
            return OpenBsdErrno.EINVAL;
        }

        // A flow without a security protocol is taken to be ESP; the reply shows it.
        if (request.Header.SaType == SadbSaType.Unspec)
        {
            request.Header = request.Header with { SaType = SadbSaType.Esp };
        }

        if (!FlowSpec.TryImport(request, out var flow))
        {
            return OpenBsdErrno.EINVAL;
        }

        var existing = FindFlow(routingDomain, flow);
        var requestIsStatic = (flowType[6] & PolicyFlagStatic) != 0;
        if (existing is { IsStatic: true } && !requestIsStatic)
        {
            // A static flow only yields to another static request; the kernel answers success.
            return 0;
        }

        if (delete)
        {
            if (existing is null)
            {
                return OpenBsdErrno.ESRCH;
            }

            RemoveFlow(existing);
            return 0;
        }

        var type = (SadbFlowType)flowType[4];
        if (type is < SadbFlowType.Use or > SadbFlowType.DontAcquire)
        {
            if (existing is not null)
            {
                RemoveFlow(existing);
            }

            return OpenBsdErrno.EINVAL;
        }

        var entry = existing ?? NewFlow(flow, routingDomain);
        entry.Type = type;
        // The kernel sets the static flag and then clears all flags of a replaced entry.
        entry.IsStatic = existing is null && requestIsStatic;
        entry.SetExtensions(
            _groups,
            request[SadbExtensionType.AddressSrc], request[SadbExtensionType.AddressDst],
            request[SadbExtensionType.IdentitySrc], request[SadbExtensionType.IdentityDst]);
        entry.SaType = request.Header.SaType is SadbSaType.Esp or SadbSaType.Ah or SadbSaType.XIpcomp or SadbSaType.XIpip
            ? request.Header.SaType
            : SadbSaType.Unspec;
        if (existing is null)
        {
            AddFlow(entry);
        }

        return 0;
    }
}
