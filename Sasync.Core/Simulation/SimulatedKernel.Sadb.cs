using System.Net;
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

    private static IPAddress ReadAddress(ReadOnlyMemory<byte>? extension) =>
        extension is { } bytes && KernelLayout.TryReadAddress(bytes, out var address, out _) ? address : IPAddress.None;

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

        return request.Has(SadbExtensionType.XSrcFlow) && !FlowSpec.TryImport(request, out flow) ? OpenBsdErrno.EINVAL : 0;
    }

    private ulong Now() => (ulong)Options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();

    private int GetSpi(KernelRequest request, uint routingDomain)
    {
        var saType = request.Header.SaType;
        if (!IsSupported(saType))
        {
            return OpenBsdErrno.EOPNOTSUPP;
        }

        var destination = ReadAddress(request[SadbExtensionType.AddressDst]);
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
            if (Find(saType, spi, destination, routingDomain) is not null)
            {
                continue;
            }

            var sa = KernelLayout.Bytes(new SaExtension(spi, 0, SadbSaState.Larval, SadbAuthAlgorithm.None, SadbEncryptionAlgorithm.None, SadbSaFlags.None));
            AddSa(new SadbEntry
            {
                SaType = saType,
                Spi = spi,
                Destination = destination,
                RoutingDomain = routingDomain,
                Larval = true,
                Sa = sa,
                SourceExtension = request[SadbExtensionType.AddressSrc],
                DestinationExtension = request.Required(SadbExtensionType.AddressDst),
                Established = Now(),
                RoutingDomainPost = (ushort)routingDomain,
            });

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
        var destination = ReadAddress(request[SadbExtensionType.AddressDst]);
        if (Find(saType, spi, destination, routingDomain) is not null)
        {
            return OpenBsdErrno.EEXIST;
        }

        if (!IsSupported(saType))
        {
            return OpenBsdErrno.EOPNOTSUPP;
        }

        AddSa(SadbEntry.FromRequest(request, destination, routingDomain, Now(), flow));
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
        var destination = ReadAddress(request[SadbExtensionType.AddressDst]);
        var existing = Find(saType, spi, destination, routingDomain);
        if (existing is null)
        {
            return OpenBsdErrno.ESRCH;
        }

        if (existing.Larval)
        {
            // The reserved SA is replaced by a complete one.
            var mature = SadbEntry.FromRequest(request, destination, routingDomain, Now(), flow);
            mature.CurrentAllocations = existing.CurrentAllocations;
            // In the reserved SA's place in the list.
            mature.ListNode = existing.ListNode!;
            mature.ListNode.Value = mature;
            existing.ListNode = null;
            _sadbIndex.Remove(KeyOf(existing));
            _sadbIndex[KeyOf(mature)] = mature;
            Unlink(existing);
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

        existing.ImportChangeable(request);
        if (request[SadbExtensionType.AddressSrc] is { } source)
        {
            existing.SourceExtension = source;
        }

        if (request[SadbExtensionType.AddressProxy] is { } proxy)
        {
            _sadbIndex.Remove(KeyOf(existing));
            existing.Destination = ReadAddress(proxy);
            _sadbIndex[KeyOf(existing)] = existing;
            existing.DestinationExtension = KernelLayout.Retyped(proxy, SadbExtensionType.AddressDst);
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
        Unlink(entry);
        return 0;
    }

    private int Get(KernelRequest request, uint routingDomain)
    {
        var entry = FindRequested(request, routingDomain);
        if (entry is null)
        {
            return OpenBsdErrno.ESRCH;
        }

        foreach (var extension in entry.Export())
        {
            request[KernelLayout.TypeOf(extension)] = extension;
        }

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
            for (var node = _spd.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.RoutingDomain == routingDomain)
                {
                    _spd.Remove(node);
                    node.Value.ListNode = null;
                }

                node = next;
            }
            foreach (var key in _spdIndex.Keys.Where(k => k.RoutingDomain == routingDomain).ToList())
            {
                _spdIndex.Remove(key);
            }
        }

        // A larval SA has satype 0 in the kernel, so only a flush of everything removes it.
        foreach (var entry in _sadb.Where(e => e.RoutingDomain == routingDomain && (saType == SadbSaType.Unspec || e.DumpSaType == saType)).ToList())
        {
            RemoveSa(entry);
            Unlink(entry);
        }

        return 0;
    }

    /// <summary>SADB_DUMP over the socket: one record per SA, unicast, the last with seq 0; no final reply.</summary>
    private int Dump(SimulatedKeyClient writer, KernelRequest request, uint routingDomain)
    {
        var saType = request.Header.SaType;
        var entries = _sadb.Where(e => e.RoutingDomain == routingDomain && (saType == SadbSaType.Unspec || e.DumpSaType == saType)).ToList();
        for (var i = 0; i < entries.Count; i++)
        {
            var record = new KernelRequest(request.Header with { Sequence = i == entries.Count - 1 ? 0 : request.Header.Sequence });
            foreach (var extension in entries[i].Export())
            {
                record[KernelLayout.TypeOf(extension)] = extension;
            }

            Unicast(record.ToReply(), writer);
        }

        return Answered;
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
        var second = Find(
            ReadSaType2(request.Required(SadbExtensionType.XSaType2)),
            KernelLayout.ReadSa(request.Required(SadbExtensionType.XSa2)).Spi,
            ReadAddress(request[SadbExtensionType.XDst2]),
            secondDomain);
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

    private SadbEntry? FindRequested(KernelRequest request, uint routingDomain) => Find(
        request.Header.SaType,
        KernelLayout.ReadSa(request.Required(SadbExtensionType.Sa)).Spi,
        ReadAddress(request[SadbExtensionType.AddressDst]),
        routingDomain);

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
