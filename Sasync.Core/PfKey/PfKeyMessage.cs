using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Sasync.Core.PfKey;

/// <summary>
/// A PF_KEY v2 message split into its header and extensions, without copying. Parsing checks the
/// framing the kernel checks (lengths in 8-byte units, extensions inside the message, no
/// duplicates) and the layout of every extension type with a typed view (fixed sizes, sockaddrs
/// inside their extension, key and string lengths); extension types without one are kept as raw bytes.
/// </summary>
public sealed class PfKeyMessage
{
    private PfKeyMessage(SadbHeader header, ImmutableArray<PfKeyExtension> extensions, ReadOnlyMemory<byte> bytes)
    {
        Header = header;
        Extensions = extensions;
        Bytes = bytes;
    }

    public SadbHeader Header { get; }

    /// <summary>The extensions in the order they appear.</summary>
    public ImmutableArray<PfKeyExtension> Extensions { get; }

    /// <summary>The whole message: header and extensions.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public SadbMessageType Type => Header.Type;

    public bool TryGet(SadbExtensionType type, out PfKeyExtension extension)
    {
        foreach (var candidate in Extensions)
        {
            if (candidate.Type == type)
            {
                extension = candidate;
                return true;
            }
        }

        extension = default;
        return false;
    }

    public bool Has(SadbExtensionType type) => TryGet(type, out _);

    /// <summary>Every extension as its typed record (raw for types without one), in message order.</summary>
    public ImmutableArray<IPfKeyExtensionWriter> ReadTypedExtensions()
    {
        var typed = ImmutableArray.CreateBuilder<IPfKeyExtensionWriter>(Extensions.Length);
        foreach (var extension in Extensions)
        {
            // Parsing already ran every reader, so this cannot fail; the raw view is the fallback.
            typed.Add(PfKeyExtensionReader.TryRead(extension, out var value, out _) ? value : extension);
        }

        return typed.MoveToImmutable();
    }

    /// <summary>The extension of <paramref name="type"/> read with <paramref name="reader"/> (one of the typed records' TryRead).</summary>
    public bool TryGetTyped<T>(SadbExtensionType type, TypedExtensionReader<T> reader, out T value)
    {
        ArgumentNullException.ThrowIfNull(reader);
        value = default!;
        return TryGet(type, out var raw) && reader(raw, out value, out _);
    }

    /// <summary>The SA (or, with <paramref name="type"/> X_SA2, the second SA) extension.</summary>
    public bool TryGetSa(out SaExtension sa, SadbExtensionType type = SadbExtensionType.Sa) => TryGetTyped(type, SaExtension.TryRead, out sa);

    /// <summary>An address extension with an AF_INET or AF_INET6 sockaddr.</summary>
    public bool TryGetAddress(SadbExtensionType type, out AddressExtension address) => TryGetTyped(type, AddressExtension.TryRead, out address);

    public bool TryGetKey(SadbExtensionType type, out KeyExtension key) => TryGetTyped(type, KeyExtension.TryRead, out key);

    public bool TryGetLifetime(SadbExtensionType type, out LifetimeExtension lifetime) => TryGetTyped(type, LifetimeExtension.TryRead, out lifetime);

    public bool TryGetIdentity(SadbExtensionType type, out IdentityExtension identity) => TryGetTyped(type, IdentityExtension.TryRead, out identity);

    public bool TryGetFlowType(out FlowTypeExtension flowType) => TryGetTyped(SadbExtensionType.XFlowType, FlowTypeExtension.TryRead, out flowType);

    /// <summary>Parses exactly one message that fills <paramref name="bytes"/>.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> bytes, [NotNullWhen(true)] out PfKeyMessage? message, out PfKeyError error)
    {
        message = null;
        var span = bytes.Span;
        if (span.Length < SadbHeader.Size)
        {
            error = new PfKeyError(0, $"message of {span.Length} bytes is shorter than the 16-byte header");
            return false;
        }

        var header = SadbHeader.Read(span);
        if (header.ByteLength != span.Length)
        {
            error = new PfKeyError(4, $"header length {header.Length} (x8 = {header.ByteLength} bytes) does not match the {span.Length} bytes given");
            return false;
        }

        var extensions = ImmutableArray.CreateBuilder<PfKeyExtension>();
        ulong seen0 = 0, seen1 = 0; // bit sets of extension types seen, 0..127
        var offset = SadbHeader.Size;
        while (offset < span.Length)
        {
            var remaining = span.Length - offset;
            if (remaining < PfKeyExtension.HeaderSize)
            {
                error = new PfKeyError(offset, $"{remaining} bytes left over after the last extension");
                return false;
            }

            var units = PfKeyExtension.ReadLengthInUnits(span[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 2)..]);
            if (units == 0)
            {
                error = new PfKeyError(offset, $"extension {type} has length 0");
                return false;
            }

            if (units * 8 > remaining)
            {
                error = new PfKeyError(offset, $"extension {type} of {units * 8} bytes runs past the end of the message ({remaining} bytes left)");
                return false;
            }

            if (type < 128)
            {
                ref var seen = ref (type < 64 ? ref seen0 : ref seen1);
                var bit = 1UL << (type & 63);
                if ((seen & bit) != 0)
                {
                    error = new PfKeyError(offset, $"extension {type} appears twice");
                    return false;
                }

                seen |= bit;
            }
            else if (extensions.Any(e => (ushort)e.Type == type))
            {
                error = new PfKeyError(offset, $"extension {type} appears twice");
                return false;
            }

            var extension = new PfKeyExtension((SadbExtensionType)type, bytes.Slice(offset, units * 8));
            if (!PfKeyExtensionReader.TryValidate(extension, out var inner))
            {
                error = inner with { Offset = offset + inner.Offset };
                return false;
            }

            extensions.Add(extension);
            offset += units * 8;
        }

        message = new PfKeyMessage(header, extensions.ToImmutable(), bytes);
        error = default;
        return true;
    }

    /// <summary>
    /// Splits a sysctl dump (NET_KEY_SADB_DUMP / NET_KEY_SPD_DUMP: messages back to back) into
    /// messages. Stops at a zero length like the original. A record that is malformed inside is
    /// skipped so that one bad record costs one SA, not the whole snapshot; the first such error is
    /// returned with false, and <paramref name="messages"/> still holds every good record.
    /// </summary>
    public static bool TryParseDump(ReadOnlyMemory<byte> dump, out ImmutableArray<PfKeyMessage> messages, out PfKeyError error)
    {
        var builder = ImmutableArray.CreateBuilder<PfKeyMessage>();
        error = default;
        var failed = false;
        var offset = 0;
        while (dump.Length - offset >= SadbHeader.Size)
        {
            var length = SadbHeader.Read(dump.Span[offset..]).ByteLength;
            if (length == 0)
            {
                break;
            }

            if (length > dump.Length - offset)
            {
                messages = builder.ToImmutable();
                error = failed ? error : new PfKeyError(offset, $"dump record of {length} bytes runs past the end of the dump");
                return false;
            }

            if (TryParse(dump.Slice(offset, length), out var message, out var inner))
            {
                builder.Add(message);
            }
            else if (!failed)
            {
                failed = true;
                error = inner with { Offset = offset + inner.Offset };
            }

            offset += length;
        }

        messages = builder.ToImmutable();
        if (!failed && offset < dump.Length && SadbHeader.Size > dump.Length - offset && dump.Span[offset..].ContainsAnyExcept((byte)0))
        {
            error = new PfKeyError(offset, $"{dump.Length - offset} bytes left over after the last dump record");
            return false;
        }

        return !failed;
    }
}
