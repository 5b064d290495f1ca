using Sasync.Core.PfKey;
using Sasync.Core.Platform;

namespace Sasync.Core.Simulation;

// The command switch of pfkeyv2_dosend and its SADB commands.
public sealed partial class SimulatedKernel
{
    private const uint SpiReservedMax = 255;
    private const uint CpiPrivateMin = 61440;

    // The flow extensions an ADD or UPDATE carries all or none of, as a bit set over extension numbers.
    private static readonly ulong FlowExtensionBits =
        KernelExtensionRules.Bit(SadbExtensionType.XSrcFlow) | KernelExtensionRules.Bit(SadbExtensionType.XProtocol)
        | KernelExtensionRules.Bit(SadbExtensionType.XFlowType) | KernelExtensionRules.Bit(SadbExtensionType.XDstFlow)
        | KernelExtensionRules.Bit(SadbExtensionType.XSrcMask) | KernelExtensionRules.Bit(SadbExtensionType.XDstMask);

    private int Execute(SimulatedKeyClient writer, KernelRequest request, out string reason)
    {
        reason = string.Empty;
        var routingDomain = writer.RoutingDomain;
        if (request[SadbExtensionType.XRdomain] is { } rdomain)
        {
            var (dom1, dom2) = KernelLayout.ReadRdomain(rdomain);
            if (!Options.RoutingTables.Contains(dom1) || !Options.RoutingTables.Contains(dom2))
            {
                reason = $"routing table {dom1} or {dom2} does not exist";
                return OpenBsdErrno.EINVAL;
            }

            routingDomain = dom1;
        }

        var errno = request.Type switch
        {
            SadbMessageType.GetSpi => GetSpi(request, routingDomain),
            SadbMessageType.Update => Update(request, routingDomain),
            SadbMessageType.Add => Add(request, routingDomain),
            SadbMessageType.Delete => Delete(request, routingDomain),
            SadbMessageType.Get => Get(request, routingDomain),
            SadbMessageType.Flush => Flush(request, routingDomain),
            SadbMessageType.Dump => Dump(writer, request, routingDomain),
            SadbMessageType.XPromisc => SetPromiscuous(writer, request),
            SadbMessageType.XAddFlow => AddOrDeleteFlow(request, routingDomain, delete: false),
            SadbMessageType.XDelFlow => AddOrDeleteFlow(request, routingDomain, delete: true),
            SadbMessageType.XGrpSpis => GroupSpis(request, routingDomain),
            SadbMessageType.Register => Register(writer, request),
            SadbMessageType.Acquire or SadbMessageType.Expire => 0,
            // No ACQUIRE is ever pending in the simulation.
            SadbMessageType.XAskPolicy => OpenBsdErrno.ESRCH,
            _ => OpenBsdErrno.EINVAL,
        };

        if (errno != 0 && reason.Length == 0)
        {
            reason = $"{request.Type} failed";
        }

        return errno;
    }

    private static bool IsSupported(SadbSaType saType) =>
        saType is SadbSaType.Ah or SadbSaType.Esp or SadbSaType.XIpip or SadbSaType.XIpcomp or SadbSaType.XTcpSignature;

    private static bool HasAllOrNoFlow(KernelRequest request)
    {
        var present = request.Seen() & FlowExtensionBits;
        return present == 0 || present == FlowExtensionBits;
    }

    /// <summary>The checks ADD and UPDATE share before looking up the SA; 0 when they pass.</summary>
    private static int CheckAddOrUpdate(KernelRequest request, out FlowSpec? flow)
    {
        flow = null;
        if (!HasAllOrNoFlow(request))
        {
            return OpenBsdErrno.EINVAL;
        }

        // UDP encapsulation is only for ESP.
        if (request.Has(SadbExtensionType.XUdpEncap) && request.Header.SaType != SadbSaType.Esp)
        {
            return OpenBsdErrno.EINVAL;
        }

        if (!request.Has(SadbExtensionType.XSrcFlow))
        {
            return 0;
        }

        if (!FlowSpec.TryImport(request, out var imported))
        {
            return OpenBsdErrno.EINVAL;
        }

        flow = imported;
        return 0;
    }

    // The kernel's time_second, as gettime() reads it: the seconds of the wall clock, moved on once per tick. On the
    // system clock it is read again at most every ClockTick (a coarse tick count costs less than the clock read,
    // 1.5 % of the relay phase once per ADD in both kernels); any other TimeProvider is read every time, as tests
    // that move a fake clock expect.
    private const long ClockTickMilliseconds = 10;
    private long _secondsReadAt = long.MinValue;
    private ulong _seconds;

    private ulong Now()
    {
        if (!ReferenceEquals(Options.TimeProvider, TimeProvider.System))
        {
            return (ulong)Options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        }

        var tick = Environment.TickCount64;
        if (tick - _secondsReadAt >= ClockTickMilliseconds)
        {
            (_seconds, _secondsReadAt) = ((ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), tick);
        }

        return _seconds;
    }

    private int GetSpi(KernelRequest request, uint routingDomain)
    {
        var saType = request.Header.SaType;
        if (!IsSupported(saType))
        {
            return OpenBsdErrno.EOPNOTSUPP;
        }

        var destination = AddressKey.Read(request[SadbExtensionType.AddressDst]);
        var range = KernelLayout.ReadSpiRange(request.Required(SadbExtensionType.SpiRange));
        var (min, max) = (range.Min, range.Max);
        if (saType == SadbSaType.XIpcomp)
        {
            // CPIs are 16 bits.
            (min, max) = (Math.Min(min, 0xffff), Math.Min(max, 0xffff));
            if (max <= SpiReservedMax || max >= CpiPrivateMin)
            {
                return OpenBsdErrno.EINVAL;
            }
        }
        else if (max <= SpiReservedMax)
        {
            return OpenBsdErrno.EINVAL;
        }

        min = Math.Max(min, SpiReservedMax + 1);
        var tries = min == max ? 1 : 100;
        while (tries-- > 0)
        {
            var spi = min == max ? min : min + (uint)_random.NextInt64(max - min);
            var key = new SaKey(saType, spi, destination, routingDomain);
            if (Find(key) is not null)
            {
                continue;
            }

            var sa = KernelLayout.Bytes(new SaExtension(spi, 0, SadbSaState.Larval, SadbAuthAlgorithm.None, SadbEncryptionAlgorithm.None, SadbSaFlags.None));
            var reserved = NewSa();
            reserved.ImportReserved(_groups, key, sa, request[SadbExtensionType.AddressSrc], request.Required(SadbExtensionType.AddressDst), Now());
            AddSa(reserved);

            // The reply's SA is exported from a scratch tdb that lacks the invalid flag, so it says MATURE.
            request[SadbExtensionType.SpiRange] = null;
            request[SadbExtensionType.Sa] = KernelLayout.Bytes(KernelLayout.ReadSa(sa) with { State = SadbSaState.Mature });
            return 0;
        }

        return OpenBsdErrno.EEXIST;
    }

    private int Add(KernelRequest request, uint routingDomain)
    {
        var check = CheckAddOrUpdate(request, out var flow);
        if (check != 0)
        {
            return check;
        }

        var saType = request.Header.SaType;
        var spi = KernelLayout.ReadSa(request.Required(SadbExtensionType.Sa)).Spi;
        var destination = AddressKey.Read(request[SadbExtensionType.AddressDst]);
        if (Find(new SaKey(saType, spi, destination, routingDomain)) is not null)
        {
            return OpenBsdErrno.EEXIST;
        }

        if (!IsSupported(saType))
        {
            return OpenBsdErrno.EOPNOTSUPP;
        }

        var entry = NewSa();
        entry.ImportRequest(_groups, request, destination, routingDomain, Now(), flow);
        AddSa(entry);
        HideKeys(request);
        return 0;
    }

    private int Update(KernelRequest request, uint routingDomain)
    {
        var check = CheckAddOrUpdate(request, out var flow);
        if (check != 0)
        {
            return check;
        }

        var saType = request.Header.SaType;
        var spi = KernelLayout.ReadSa(request.Required(SadbExtensionType.Sa)).Spi;
        var destination = AddressKey.Read(request[SadbExtensionType.AddressDst]);
        var existing = Find(new SaKey(saType, spi, destination, routingDomain));
        if (existing is null)
        {
            return OpenBsdErrno.ESRCH;
        }

        if (existing.Larval)
        {
            // The reserved SA is replaced by a complete one.
            var mature = NewSa();
            mature.ImportRequest(_groups, request, destination, routingDomain, Now(), flow);
            mature.CurrentAllocations = existing.CurrentAllocations;
            // In the reserved SA's place in the list.
            _sadb.Replace(existing, mature);
            _sadbByKey.Remove(existing.Key);
            Index(mature);
            Unlink(existing);
            Recycle(existing);
            HideKeys(request);
            return 0;
        }

        // A mature SA keeps its keys and identities.
        if (request.Has(SadbExtensionType.KeyAuth) || request.Has(SadbExtensionType.KeyEncrypt)
            || request.Has(SadbExtensionType.IdentitySrc) || request.Has(SadbExtensionType.IdentityDst)
            || request.Has(SadbExtensionType.Sensitivity))
        {
            return OpenBsdErrno.EINVAL;
        }

        existing.UpdateMature(_groups, request);
        if (request[SadbExtensionType.AddressProxy] is { } proxy)
        {
            // The proxy address becomes the SA's destination, and so part of how it is found.
            _sadbByKey.Remove(existing.Key);
            existing.Key = existing.Key with { Destination = AddressKey.Read(proxy) };
            Index(existing);
        }

        return 0;
    }

    private int Delete(KernelRequest request, uint routingDomain)
    {
        var entry = FindRequested(request, routingDomain);
        if (entry is null)
        {
            return OpenBsdErrno.ESRCH;
        }

        RemoveSa(entry);
        return 0;
    }

    private int Get(KernelRequest request, uint routingDomain)
    {
        var entry = FindRequested(request, routingDomain);
        if (entry is null)
        {
            return OpenBsdErrno.ESRCH;
        }

        FillFromExport(request, entry);
        return 0;
    }

    private int Flush(KernelRequest request, uint routingDomain)
    {
        var saType = request.Header.SaType;
        if (saType != SadbSaType.Unspec && !IsSupported(saType))
        {
            return OpenBsdErrno.EINVAL;
        }

        if (saType == SadbSaType.Unspec)
        {
            foreach (var flow in _spd)
            {
                if (flow.RoutingDomain == routingDomain)
                {
                    RemoveFlow(flow);
                }
            }
        }

        // A larval SA has satype 0 in the kernel, so only a flush of everything removes it.
        foreach (var entry in _sadb)
        {
            if (InDump(entry, routingDomain, saType))
            {
                RemoveSa(entry);
            }
        }

        return 0;
    }

    /// <summary>SADB_DUMP over the socket: one record per SA, unicast, the last with seq 0; no final reply.</summary>
    private int Dump(SimulatedKeyClient writer, KernelRequest request, uint routingDomain)
    {
        var saType = request.Header.SaType;
        var left = 0;
        foreach (var entry in _sadb)
        {
            left += InDump(entry, routingDomain, saType) ? 1 : 0;
        }

        foreach (var entry in _sadb)
        {
            if (!InDump(entry, routingDomain, saType))
            {
                continue;
            }

            _record.Reset(request.Header with { Sequence = --left == 0 ? 0 : request.Header.Sequence });
            FillFromExport(_record, entry);
            var length = _record.ReplyLength;
            _record.WriteReply(ReplyBuffer(length));
            Unicast(length, writer);
        }

        _record.ClearExtensions(); // let go of the last export
        return Answered;
    }

    /// <summary>Whether a dump or flush of <paramref name="saType"/> (0: all) in <paramref name="routingDomain"/> covers <paramref name="entry"/>.</summary>
    private static bool InDump(SadbEntry entry, uint routingDomain, SadbSaType saType) =>
        entry.RoutingDomain == routingDomain && (saType == SadbSaType.Unspec || entry.DumpSaType == saType);

    /// <summary>Puts the extensions pfkeyv2_get exports for <paramref name="entry"/> in the slots of <paramref name="target"/>.</summary>
    private void FillFromExport(KernelRequest target, SadbEntry entry)
    {
        var length = entry.ExportLength();
        if (length > _export.Length)
        {
            _export = new byte[length];
        }

        var exported = _export.AsMemory(0, length);
        entry.ExportTo(exported.Span);
        for (var offset = 0; offset < exported.Length;)
        {
            var extensionLength = PfKeyExtension.ReadLengthInUnits(exported.Span[offset..]) * 8;
            var extension = exported.Slice(offset, extensionLength);
            target[KernelLayout.TypeOf(extension)] = extension;
            offset += extensionLength;
        }
    }

    private static int SetPromiscuous(SimulatedKeyClient writer, KernelRequest request)
    {
        writer.IsPromiscuous = request.Header.SaType != SadbSaType.Unspec;
        return 0;
    }

    private int GroupSpis(KernelRequest request, uint routingDomain)
    {
        var first = FindRequested(request, routingDomain);
        if (first is null)
        {
            return OpenBsdErrno.ESRCH;
        }

        var secondDomain = request[SadbExtensionType.XRdomain] is { } rdomain ? KernelLayout.ReadRdomain(rdomain).Domain2 : routingDomain;
        var second = Find(new SaKey(
            ReadSaType2(request.Required(SadbExtensionType.XSaType2)),
            KernelLayout.ReadSa(request.Required(SadbExtensionType.XSa2)).Spi,
            AddressKey.Read(request[SadbExtensionType.XDst2]),
            secondDomain));
        if (second is null)
        {
            return OpenBsdErrno.ESRCH;
        }

        for (var next = second; next is not null; next = next.Next)
        {
            if (next == first)
            {
                return OpenBsdErrno.ESRCH;
            }
        }

        if (first.Next is null)
        {
            _bundleLinks++;
        }

        first.Next = second;
        return 0;
    }

    private static int Register(SimulatedKeyClient writer, KernelRequest request)
    {
        writer.IsRegistered = true;
        request[SadbExtensionType.SupportedEncrypt] = Supported(SadbExtensionType.SupportedEncrypt, [new(12, 16, 128, 256), new(13, 8, 160, 288), new(20, 8, 160, 288), new(22, 8, 288, 288)]);
        request[SadbExtensionType.SupportedAuth] = Supported(SadbExtensionType.SupportedAuth, [new(3, 0, 160, 160), new(5, 0, 256, 256), new(6, 0, 384, 384), new(7, 0, 512, 512)]);
        request[SadbExtensionType.XSupportedComp] = Supported(SadbExtensionType.XSupportedComp, [new(2, 0, 0, 0)]);
        return 0;
    }

    private static byte[] Supported(SadbExtensionType type, SadbAlgorithm[] algorithms) =>
        KernelLayout.Bytes(new SupportedExtension(type, [.. algorithms]));

    private static SadbSaType ReadSaType2(ReadOnlyMemory<byte> extension) =>
        SaType2Extension.TryRead(KernelLayout.View(extension), out var saType2, out _) ? saType2.SaType : SadbSaType.Unspec;

    private SadbEntry? FindRequested(KernelRequest request, uint routingDomain) => Find(new SaKey(
        request.Header.SaType,
        KernelLayout.ReadSa(request.Required(SadbExtensionType.Sa)).Spi,
        AddressKey.Read(request[SadbExtensionType.AddressDst]),
        routingDomain));

    /// <summary>tdb_delete unlinks the SA from bundles in both directions.</summary>
    private void Unlink(SadbEntry removed)
    {
        if (removed.Next is not null)
        {
            removed.Next = null;
            _bundleLinks--;
        }

        if (_bundleLinks == 0)
        {
            return;
        }

        foreach (var entry in _sadb)
        {
            if (entry.Next == removed)
            {
                entry.Next = null;
                _bundleLinks--;
            }
        }
    }

    /// <summary>Keys never go out in an ADD or UPDATE reply.</summary>
    private static void HideKeys(KernelRequest request)
    {
        request[SadbExtensionType.KeyAuth] = null;
        request[SadbExtensionType.KeyEncrypt] = null;
    }
}
