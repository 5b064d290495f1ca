using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Sasync.Core.PfKey;

/// <summary>
/// A PF_KEY v2 message split into its header and extensions, without copying. Parsing checks the
/// framing the kernel checks (lengths in 8-byte units, extensions inside the message, no
/// duplicates) and the layout of every extension type with a typed view (fixed sizes, sockaddrs
/// inside their extension, key and string lengths); extension types without one are kept as raw bytes.
/// </summary>
public sealed class PfKeyMessage : IPfKeyExtensionLookup
{
    private PfKeyMessage(SadbHeader header, ImmutableArray<PfKeyExtension> extensions, ReadOnlyMemory<byte> bytes)
    {
        Header = header;
        Extensions = extensions;
        Bytes = bytes;
    }

    /// <summary>The 16-byte <c>sadb_msg</c> header.</summary>
    public SadbHeader Header { get; }

    /// <summary>The extensions in the order they appear.</summary>
    public ImmutableArray<PfKeyExtension> Extensions { get; }

    /// <summary>The whole message: header and extensions.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The message type of the header.</summary>
    public SadbMessageType Type => Header.Type;

    /// <summary>The raw extension of <paramref name="type"/>; false when the message has none (a message holds each type at most once).</summary>
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

    /// <summary>Whether the message holds an extension of <paramref name="type"/>.</summary>
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

    /// <summary>The KEY_AUTH or KEY_ENCRYPT extension; its key is a view of the message's bytes.</summary>
    public bool TryGetKey(SadbExtensionType type, out KeyExtension key) => TryGetTyped(type, KeyExtension.TryRead, out key);

    /// <summary>A LIFETIME_CURRENT, _HARD, _SOFT or X_LIFETIME_LASTUSE extension.</summary>
    public bool TryGetLifetime(SadbExtensionType type, out LifetimeExtension lifetime) => TryGetTyped(type, LifetimeExtension.TryRead, out lifetime);

    /// <summary>The IDENTITY_SRC or IDENTITY_DST extension.</summary>
    public bool TryGetIdentity(SadbExtensionType type, out IdentityExtension identity) => TryGetTyped(type, IdentityExtension.TryRead, out identity);

    /// <summary>The X_FLOW_TYPE extension of a flow message.</summary>
    public bool TryGetFlowType(out FlowTypeExtension flowType) => TryGetTyped(SadbExtensionType.XFlowType, FlowTypeExtension.TryRead, out flowType);

    /// <summary>Parses exactly one message that fills <paramref name="bytes"/>.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> bytes, [NotNullWhen(true)] out PfKeyMessage? message, out PfKeyError error)
    {
        message = null;
        if (!TryCheckHeader(bytes.Span, out var header, out error))
        {
            return false;
        }

        var extensions = new PfKeyExtension[CountExtensions(bytes.Span)];
        if (!TryWalk(bytes, extensions, out var count, out error))
        {
            return false;
        }

        // The count walk and the checking walk agree on every message that passes the checks.
        Debug.Assert(count == extensions.Length);
        message = new PfKeyMessage(header, ImmutableCollectionsMarshal.AsImmutableArray(extensions), bytes);
        return true;
    }

    /// <summary>The checks of <see cref="TryParse"/> without keeping anything: no allocation, for messages only passed on.</summary>
    public static bool TryValidate(ReadOnlyMemory<byte> bytes, out SadbHeader header, out PfKeyError error) =>
        TryCheckHeader(bytes.Span, out header, out error) && TryWalk(bytes, null, out _, out error);

    private static bool TryCheckHeader(ReadOnlySpan<byte> span, out SadbHeader header, out PfKeyError error)
    {
        header = default;
        if (span.Length < SadbHeader.Size)
        {
            error = new PfKeyError(0, $"message of {span.Length} bytes is shorter than the 16-byte header");
            return false;
        }

        header = SadbHeader.Read(span);
        if (header.ByteLength != span.Length)
        {
            error = new PfKeyError(4, $"header length {header.Length} (x8 = {header.ByteLength} bytes) does not match the {span.Length} bytes given");
            return false;
        }

        error = default;
        return true;
    }

    // Checks every extension; stores them in `into` when given (sized by CountExtensions).
    private static bool TryWalk(ReadOnlyMemory<byte> bytes, PfKeyExtension[]? into, out int count, out PfKeyError error)
    {
        var span = bytes.Span;
        count = 0;
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
            else if (AppearsBefore(span, offset, type))
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

            if (into is not null)
            {
                into[count] = extension;
            }

            count++;
            offset += units * 8;
        }

        error = default;
        return true;
    }

    // Types beyond the bit sets are not defined by pfkeyv2.h, so this rescan is rare.
    private static bool AppearsBefore(ReadOnlySpan<byte> message, int end, ushort type)
    {
        for (var offset = SadbHeader.Size; offset < end; offset += PfKeyExtension.ReadLengthInUnits(message[offset..]) * 8)
        {
            if (BinaryPrimitives.ReadUInt16LittleEndian(message[(offset + 2)..]) == type)
            {
                return true;
            }
        }

        return false;
    }

    // A first walk over the extension lengths, so that the parse allocates one array of the right size.
    private static int CountExtensions(ReadOnlySpan<byte> message)
    {
        var count = 0;
        var offset = SadbHeader.Size;
        while (message.Length - offset >= PfKeyExtension.HeaderSize)
        {
            var units = PfKeyExtension.ReadLengthInUnits(message[offset..]);
            if (units == 0)
            {
                break;
            }

            count++;
            offset += units * 8;
        }

        return count;
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
        var reader = new PfKeyDumpReader(dump);
        error = default;
        var failed = false;
        while (true)
        {
            switch (reader.Next(out PfKeyMessage? record, out var recordError))
            {
                case DumpRecordStatus.Record:
                    builder.Add(record!);
                    continue;
                case DumpRecordStatus.BadRecord or DumpRecordStatus.Broken when !failed:
                    failed = true;
                    error = recordError;
                    continue;
                case DumpRecordStatus.BadRecord:
                    continue;
            }

            break;
        }

        messages = builder.ToImmutable();
        return !failed;
    }
}
