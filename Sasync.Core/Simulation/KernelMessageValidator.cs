using System.Buffers.Binary;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// The checks pfkeyv2_parsemessage (pfkeyv2_parsemessage.c 1.64) makes on every written message.
/// Any failure means EINVAL; the reason is only for diagnostics.
/// </summary>
internal static class KernelMessageValidator
{
    // SADB_SASTATE_MAX, SADB_EALG_MAX, SADB_AALG_MAX, SADB_IDENTTYPE_MAX: the last value of each enum.
    private const byte SaStateMax = (byte)SadbSaState.Dead;
    private const byte EncryptMax = (byte)SadbEncryptionAlgorithm.XChacha20Poly1305;
    private const byte AuthMax = (byte)SadbAuthAlgorithm.XChacha20Poly1305;
    private const byte IdentityTypeMax = (byte)SadbIdentityType.Asn1Dn;

    // PF_TAG_NAME_SIZE (net/pfvar.h).
    private const int TagNameSize = 64;

    /// <summary>
    /// Checks <paramref name="bytes"/> and, as it goes, fills <paramref name="parsed"/> (reset first) with
    /// slices of it, one per extension (no copies: the caller hands in the kernel's own copy of the
    /// message); when false, <paramref name="parsed"/> holds a partial message.
    /// </summary>
    public static bool TryValidate(ReadOnlyMemory<byte> bytes, uint writerPid, KernelRequest parsed, out string reason)
    {
        var span = bytes.Span;
        if (span.Length < SadbHeader.Size)
        {
            reason = "message too short";
            return false;
        }

        var header = SadbHeader.Read(span);
        if (header.ByteLength != span.Length)
        {
            reason = "length does not match the header";
            return false;
        }

        if (header.Reserved != 0)
        {
            reason = "message header reserved field set";
            return false;
        }

        if (header.Type == SadbMessageType.Reserved || header.Type > SadbMessageType.XSpdDump)
        {
            reason = $"message type {(byte)header.Type} out of range";
            return false;
        }

        if (header.Pid != writerPid)
        {
            reason = $"pid {header.Pid} is not the writer's pid {writerPid}";
            return false;
        }

        if (header.Errno != 0)
        {
            reason = "errno set";
            return false;
        }

        parsed.Reset(header);
        ulong seen = 1;
        var offset = SadbHeader.Size;
        while (offset < span.Length)
        {
            var left = span.Length - offset;
            if (left < PfKeyExtension.HeaderSize)
            {
                reason = "extension header too short";
                return false;
            }

            var length = PfKeyExtension.ReadLengthInUnits(span[offset..]) * 8;
            var typeNumber = BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 2)..]);
            if (length > left)
            {
                reason = $"extension {typeNumber} exceeds the message";
                return false;
            }

            if (typeNumber == 0 || typeNumber > (ushort)SadbExtensionTypes.Max)
            {
                reason = $"unknown extension header {typeNumber}";
                return false;
            }

            var type = (SadbExtensionType)typeNumber;
            if (!KernelExtensionRules.IsAllowedIn(header.Type, type))
            {
                reason = $"extension header {typeNumber} not permitted on message type {(byte)header.Type}";
                return false;
            }

            if (parsed.Has(type))
            {
                reason = $"duplicate extension header {typeNumber}";
                return false;
            }

            // A zero length would loop forever in C; the kernel's per-type size checks reject it.
            var extension = span.Slice(offset, length);
            if (length == 0)
            {
                reason = $"extension {typeNumber} has length 0";
                return false;
            }

            if (!TryCheckExtension(header, type, extension, out reason))
            {
                return false;
            }

            seen |= KernelExtensionRules.Bit(type);
            parsed[type] = bytes.Slice(offset, length);
            offset += length;
        }

        if (!KernelExtensionRules.HasRequiredIn(header.Type, seen))
        {
            reason = "required fields missing";
            return false;
        }

        if (header.Type is SadbMessageType.Add or SadbMessageType.Update
            && parsed.Required(SadbExtensionType.Sa).Span[9] != (byte)SadbSaState.Mature)
        {
            reason = header.Type == SadbMessageType.Add ? "adding non-mature SA prohibited" : "updating non-mature SA prohibited";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    private static bool TryCheckExtension(SadbHeader header, SadbExtensionType type, ReadOnlySpan<byte> extension, out string reason)
    {
        var length = extension.Length;
        reason = string.Empty;
        switch (type)
        {
            case SadbExtensionType.Sa or SadbExtensionType.XSa2:
                if (length != SaExtension.Size)
                {
                    reason = $"bad length for SA extension {(ushort)type}";
                }
                else if (extension[9] > SaStateMax || extension[9] == (byte)SadbSaState.Dead)
                {
                    reason = $"bad SA state {extension[9]}";
                }
                else if (extension[11] > EncryptMax || extension[10] > AuthMax)
                {
                    reason = "unknown algorithm in SA extension";
                }
                else if (extension[8] > 64)
                {
                    reason = $"unsupported replay window {extension[8]}";
                }

                break;
            case SadbExtensionType.XProtocol or SadbExtensionType.XFlowType or SadbExtensionType.XSaType2 or SadbExtensionType.XPolicy:
                Expect(length == 8, "bad PROTOCOL/FLOW/SATYPE2/POLICY length", ref reason);
                break;
            case SadbExtensionType.LifetimeCurrent or SadbExtensionType.LifetimeHard or SadbExtensionType.LifetimeSoft or SadbExtensionType.XLifetimeLastUse:
                Expect(length == LifetimeExtension.Size, "bad LIFETIME length", ref reason);
                break;
            case SadbExtensionType.AddressSrc or SadbExtensionType.AddressDst or SadbExtensionType.AddressProxy
                or SadbExtensionType.XSrcMask or SadbExtensionType.XDstMask or SadbExtensionType.XSrcFlow
                or SadbExtensionType.XDstFlow or SadbExtensionType.XDst2:
                reason = CheckAddress(header, type, extension);
                break;
            case SadbExtensionType.KeyAuth or SadbExtensionType.KeyEncrypt:
                if (length < 8)
                {
                    reason = "bad KEY length";
                    break;
                }

                var bits = BinaryPrimitives.ReadUInt16LittleEndian(extension[4..]);
                Expect(bits != 0 && (bits + 63) / 64 * 8 == length - 8 && BinaryPrimitives.ReadUInt16LittleEndian(extension[6..]) == 0, "invalid KEY extension", ref reason);
                break;
            case SadbExtensionType.IdentitySrc or SadbExtensionType.IdentityDst:
                reason = CheckIdentity(extension);
                break;
            case SadbExtensionType.Sensitivity:
                Expect(length >= 16 && length == (extension[9] + extension[11]) * 8 + 16, "bad SENSITIVITY length", ref reason);
                break;
            case SadbExtensionType.Proposal:
                Expect(length >= 8 && extension[6] == 0 && extension[7] == 0 && (length - 8) % 72 == 0, "bad PROPOSAL extension", ref reason);
                break;
            case SadbExtensionType.SupportedAuth or SadbExtensionType.SupportedEncrypt or SadbExtensionType.XSupportedComp:
                Expect(length >= 8, "bad SUPPORTED length", ref reason);
                break;
            case SadbExtensionType.SpiRange:
                if (length != 16)
                {
                    reason = "bad SPIRANGE length";
                    break;
                }

                Expect(BinaryPrimitives.ReadUInt32LittleEndian(extension[4..]) <= BinaryPrimitives.ReadUInt32LittleEndian(extension[8..]), "bad SPI range", ref reason);
                break;
            case SadbExtensionType.XUdpEncap or SadbExtensionType.XRdomain or SadbExtensionType.XTap:
                Expect(length == 8, $"bad length of extension {(ushort)type}", ref reason);
                break;
            case SadbExtensionType.XReplay:
                Expect(length == ReplayExtension.Size, "bad REPLAY length", ref reason);
                break;
            case SadbExtensionType.XCounter:
                Expect(length == CounterExtension.Size, "bad COUNTER length", ref reason);
                break;
            case SadbExtensionType.XTag:
                Expect(length >= 8 && length <= 8 + TagNameSize, "bad TAG length", ref reason);
                break;
            case SadbExtensionType.XIface:
                Expect(length == 16, "bad IFACE length", ref reason);
                break;
            default:
                // X_MTU and the credential types among others: the parser has no case for them.
                reason = $"unknown extension header type {(ushort)type}";
                break;
        }

        return reason.Length == 0;
    }

    private static void Expect(bool condition, string failure, ref string reason)
    {
        if (!condition)
        {
            reason = failure;
        }
    }

    private static string CheckAddress(SadbHeader header, SadbExtensionType type, ReadOnlySpan<byte> extension)
    {
        // sadb_address (8) plus at least a struct sockaddr (16).
        if (extension.Length < AddressExtension.HeaderSize + 16)
        {
            return $"bad ADDRESS extension {(ushort)type} length";
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(extension[4..]) != 0)
        {
            return $"ADDRESS extension {(ushort)type} reserved field set";
        }

        var sockaddr = extension[AddressExtension.HeaderSize..];
        var saLength = sockaddr[0];
        if (saLength != 0 && extension.Length != AddressExtension.HeaderSize + KernelLayout.PadUp(saLength))
        {
            return $"bad sockaddr length in ADDRESS extension {(ushort)type}";
        }

        var portAllowed = type is SadbExtensionType.XSrcMask or SadbExtensionType.XDstMask or SadbExtensionType.XSrcFlow or SadbExtensionType.XDstFlow;
        var port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        switch (sockaddr[1])
        {
            case SockAddr.AfInet:
                if (extension.Length != AddressExtension.HeaderSize + 16 || saLength != SockAddr.InetSize)
                {
                    return $"bad sockaddr_in in ADDRESS extension {(ushort)type}";
                }

                if (!portAllowed && port != 0)
                {
                    return $"port set in ADDRESS extension {(ushort)type}";
                }

                return sockaddr.Slice(8, 8).ContainsAnyExcept((byte)0) ? $"sin_zero set in ADDRESS extension {(ushort)type}" : string.Empty;
            case SockAddr.AfInet6:
                if (extension.Length != AddressExtension.HeaderSize + KernelLayout.PadUp(SockAddr.Inet6Size) || saLength != SockAddr.Inet6Size)
                {
                    return $"bad sockaddr_in6 in ADDRESS extension {(ushort)type}";
                }

                if (BinaryPrimitives.ReadUInt32LittleEndian(sockaddr[4..]) != 0)
                {
                    return $"flowinfo set in ADDRESS extension {(ushort)type}";
                }

                return !portAllowed && port != 0 ? $"port set in ADDRESS extension {(ushort)type}" : string.Empty;
            case 0 when header.SaType == SadbSaType.XTcpSignature:
                return string.Empty;
            default:
                return $"unknown address family {sockaddr[1]} in ADDRESS extension {(ushort)type}";
        }
    }

    private static string CheckIdentity(ReadOnlySpan<byte> extension)
    {
        if (extension.Length < 16)
        {
            return "bad IDENTITY length";
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(extension[4..]) > IdentityTypeMax || BinaryPrimitives.ReadUInt16LittleEndian(extension[6..]) != 0)
        {
            return "bad IDENTITY type or reserved field";
        }

        if (extension.Length == 16)
        {
            return string.Empty;
        }

        if (extension[^1] != 0)
        {
            return "identity not NUL-terminated";
        }

        var text = extension[16..];
        var stringLength = text.IndexOf((byte)0);
        return 16 + KernelLayout.PadUp(stringLength + 1) == extension.Length ? string.Empty : "identity length does not match its string";
    }
}
