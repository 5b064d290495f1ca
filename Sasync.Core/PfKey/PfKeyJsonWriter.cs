using System.Text.Json;

namespace Sasync.Core.PfKey;

/// <summary>
/// Writes a PF_KEY message as JSON with the names of pfkeyv2.h (ADD, ESP, SA, ...): header
/// fields, then one object per extension. Numbers without a name are written as numbers; keys are
/// shown only as their bit length.
/// </summary>
public static class PfKeyJsonWriter
{
    /// <summary>Writes <paramref name="message"/> as one JSON object: the header fields, then <c>extensions</c>, an array of one object per extension in message order.</summary>
    public static void WriteMessage(Utf8JsonWriter writer, PfKeyMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        var header = message.Header;
        writer.WriteStartObject();
        WriteHeaderFields(writer, header);
        writer.WriteStartArray("extensions");
        foreach (var extension in message.Extensions)
        {
            WriteExtension(writer, extension, header.SaType);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes a promiscuous copy: the kernel's X_PROMISC wrapper header, no extensions, and the
    /// message it carries under <c>"message"</c>.
    /// </summary>
    public static void WriteWrapped(Utf8JsonWriter writer, SadbHeader wrapper, PfKeyMessage inner)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(inner);
        writer.WriteStartObject();
        WriteHeaderFields(writer, wrapper);
        writer.WriteStartArray("extensions");
        writer.WriteEndArray();
        writer.WritePropertyName("message");
        WriteMessage(writer, inner);
        writer.WriteEndObject();
    }

    private static void WriteHeaderFields(Utf8JsonWriter writer, SadbHeader header)
    {
        writer.WriteNumber("version", header.Version);
        WriteName(writer, "type", PfKeyNames.MessageTypeName(header.Type), (byte)header.Type);
        writer.WriteNumber("errno", header.Errno);
        WriteName(writer, "satype", PfKeyNames.SaTypeName(header.SaType), (byte)header.SaType);
        writer.WriteNumber("seq", header.Sequence);
        writer.WriteNumber("pid", header.Pid);
    }

    /// <summary>Writes one extension; <paramref name="saType"/> picks the algorithm names (IPCOMP uses SADB_X_CALG_*).</summary>
    public static void WriteExtension(Utf8JsonWriter writer, PfKeyExtension extension, SadbSaType saType = SadbSaType.Unspec)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        if (!PfKeyNames.IsDefined(extension.Type))
        {
            writer.WriteString("type", "UNKNOWN");
            writer.WriteNumber("number", (ushort)extension.Type);
            writer.WriteEndObject();
            return;
        }

        writer.WriteString("type", PfKeyNames.ExtensionTypeName(extension.Type));
        if (!PfKeyExtensionReader.TryRead(extension, out var typed, out var error))
        {
            writer.WriteString("error", error.ToString());
        }
        else
        {
            WriteFields(writer, typed, extension, saType);
        }

        writer.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter writer, IPfKeyExtensionWriter typed, PfKeyExtension raw, SadbSaType saType)
    {
        switch (typed)
        {
            case SaExtension sa:
                writer.WriteString("spi", $"0x{sa.Spi:x8}");
                writer.WriteNumber("replay", sa.Replay);
                WriteName(writer, "state", PfKeyNames.SaStateName(sa.State), (byte)sa.State);
                WriteName(writer, "auth", PfKeyNames.AuthAlgorithmName(sa.Auth), (byte)sa.Auth);
                WriteName(writer, "encrypt", saType == SadbSaType.XIpcomp
                    ? PfKeyNames.CompressionAlgorithmName((byte)sa.Encrypt)
                    : PfKeyNames.EncryptionAlgorithmName(sa.Encrypt), (byte)sa.Encrypt);
                writer.WriteNumber("flags", (uint)sa.Flags);
                break;
            case LifetimeExtension lifetime:
                writer.WriteNumber("allocations", lifetime.Allocations);
                writer.WriteNumber("bytes", lifetime.Bytes);
                writer.WriteNumber("addtime", lifetime.AddTime);
                writer.WriteNumber("usetime", lifetime.UseTime);
                break;
            case AddressExtension address:
                writer.WriteString("address", address.Address.ToString());
                writer.WriteNumber("port", address.Port);
                break;
            case KeyExtension key:
                writer.WriteNumber("bits", key.Bits);
                break;
            case IdentityExtension identity:
                WriteName(writer, "identity_type", PfKeyNames.IdentityTypeName(identity.IdentityType), (ushort)identity.IdentityType);
                writer.WriteNumber("id", identity.Id);
                writer.WriteString("identity", identity.Value);
                break;
            case SensitivityExtension sensitivity:
                writer.WriteNumber("dpd", sensitivity.Dpd);
                writer.WriteNumber("sens_level", sensitivity.SensitivityLevel);
                writer.WriteNumber("sens_len", sensitivity.SensitivityBitmap.Length / 8);
                writer.WriteNumber("integ_level", sensitivity.IntegrityLevel);
                writer.WriteNumber("integ_len", sensitivity.IntegrityBitmap.Length / 8);
                break;
            case ProposalExtension proposal:
                WriteProposal(writer, proposal);
                break;
            case SupportedExtension supported:
                writer.WriteStartArray("algorithms");
                foreach (var algorithm in supported.Algorithms)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("id", algorithm.Id);
                    writer.WriteNumber("ivlen", algorithm.IvLength);
                    writer.WriteNumber("minbits", algorithm.MinBits);
                    writer.WriteNumber("maxbits", algorithm.MaxBits);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                break;
            case SpiRangeExtension range:
                writer.WriteString("min", $"0x{range.Min:x8}");
                writer.WriteString("max", $"0x{range.Max:x8}");
                break;
            case ProtocolExtension protocol:
                writer.WriteNumber("protocol", protocol.Protocol);
                WriteName(writer, "direction", PfKeyNames.DirectionName(protocol.Direction), (byte)protocol.Direction);
                writer.WriteNumber("flags", protocol.Flags);
                break;
            case FlowTypeExtension flowType:
                WriteName(writer, "flow_type", PfKeyNames.FlowTypeName(flowType.FlowType), (byte)flowType.FlowType);
                WriteName(writer, "direction", PfKeyNames.DirectionName(flowType.Direction), (byte)flowType.Direction);
                writer.WriteNumber("flags", flowType.Flags);
                break;
            case SaType2Extension saType2:
                WriteName(writer, "satype", PfKeyNames.SaTypeName(saType2.SaType), (byte)saType2.SaType);
                break;
            case PolicyExtension policy:
                writer.WriteNumber("seq", policy.Sequence);
                break;
            case UdpEncapExtension udpEncap:
                writer.WriteNumber("port", udpEncap.Port);
                break;
            case TagExtension tag:
                writer.WriteString("tag", tag.Tag);
                break;
            case TapExtension tap:
                writer.WriteNumber("unit", tap.Unit);
                break;
            case ReplayExtension replay:
                writer.WriteNumber("count", replay.Count);
                break;
            case RdomainExtension rdomain:
                writer.WriteNumber("dom1", rdomain.Domain1);
                writer.WriteNumber("dom2", rdomain.Domain2);
                break;
            case CounterExtension counter:
                writer.WriteNumber("ipackets", counter.InputPackets);
                writer.WriteNumber("opackets", counter.OutputPackets);
                writer.WriteNumber("ibytes", counter.InputBytes);
                writer.WriteNumber("obytes", counter.OutputBytes);
                writer.WriteNumber("idrops", counter.InputDrops);
                writer.WriteNumber("odrops", counter.OutputDrops);
                writer.WriteNumber("idecompbytes", counter.InputDecompressedBytes);
                writer.WriteNumber("ouncompbytes", counter.OutputUncompressedBytes);
                break;
            case MtuExtension mtu:
                writer.WriteNumber("mtu", mtu.Mtu);
                break;
            case IfaceExtension iface:
                writer.WriteNumber("unit", iface.Unit);
                WriteName(writer, "direction", PfKeyNames.DirectionName(iface.Direction), (byte)iface.Direction);
                break;
            default:
                // A named type without a typed view, or an address of another family.
                if (AddressExtension.IsAddressType(raw.Type))
                {
                    writer.WriteNumber("family", AddressExtension.ReadFamily(raw));
                }

                writer.WriteNumber("length", raw.Bytes.Length);
                break;
        }
    }

    private static void WriteProposal(Utf8JsonWriter writer, ProposalExtension proposal)
    {
        writer.WriteNumber("num", proposal.Number);
        writer.WriteNumber("replay", proposal.Replay);
        writer.WriteStartArray("combinations");
        foreach (var comb in proposal.Combinations)
        {
            writer.WriteStartObject();
            WriteName(writer, "auth", PfKeyNames.AuthAlgorithmName(comb.Auth), (byte)comb.Auth);
            WriteName(writer, "encrypt", PfKeyNames.EncryptionAlgorithmName(comb.Encrypt), (byte)comb.Encrypt);
            writer.WriteNumber("flags", comb.Flags);
            writer.WriteNumber("auth_minbits", comb.AuthMinBits);
            writer.WriteNumber("auth_maxbits", comb.AuthMaxBits);
            writer.WriteNumber("encrypt_minbits", comb.EncryptMinBits);
            writer.WriteNumber("encrypt_maxbits", comb.EncryptMaxBits);
            writer.WriteNumber("soft_allocations", comb.SoftAllocations);
            writer.WriteNumber("hard_allocations", comb.HardAllocations);
            writer.WriteNumber("soft_bytes", comb.SoftBytes);
            writer.WriteNumber("hard_bytes", comb.HardBytes);
            writer.WriteNumber("soft_addtime", comb.SoftAddTime);
            writer.WriteNumber("hard_addtime", comb.HardAddTime);
            writer.WriteNumber("soft_usetime", comb.SoftUseTime);
            writer.WriteNumber("hard_usetime", comb.HardUseTime);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteName(Utf8JsonWriter writer, string property, string? name, int number)
    {
        if (name is null)
        {
            writer.WriteNumber(property, number);
        }
        else
        {
            writer.WriteString(property, name);
        }
    }
}
