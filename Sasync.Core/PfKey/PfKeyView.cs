using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>
/// A PF_KEY message that passed <see cref="PfKeyMessage.TryValidate"/>, read in place: extensions are found by
/// walking the bytes, so nothing is allocated for a message only filtered and passed on (every relayed one).
/// </summary>
internal readonly struct PfKeyView : IPfKeyExtensionLookup
{
    private PfKeyView(SadbHeader header, ReadOnlyMemory<byte> bytes)
    {
        Header = header;
        Bytes = bytes;
    }

    /// <inheritdoc/>
    public SadbHeader Header { get; }

    /// <summary>The whole message: header and extensions.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The message type of the header.</summary>
    public SadbMessageType Type => Header.Type;

    /// <summary>Checks <paramref name="bytes"/> as <see cref="PfKeyMessage.TryParse"/> does, without keeping anything but the view.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> bytes, out PfKeyView view, out PfKeyError error)
    {
        if (!PfKeyMessage.TryValidate(bytes, out var header, out error))
        {
            view = default;
            return false;
        }

        view = new PfKeyView(header, bytes);
        return true;
    }

    /// <summary>The view of a parsed message.</summary>
    public static PfKeyView Of(PfKeyMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new PfKeyView(message.Header, message.Bytes);
    }

    /// <inheritdoc/>
    public bool TryGet(SadbExtensionType type, out PfKeyExtension extension)
    {
        var span = Bytes.Span;
        // Validated: every extension lies inside the message and has a length.
        for (var offset = SadbHeader.Size; offset + PfKeyExtension.HeaderSize <= span.Length;)
        {
            var length = PfKeyExtension.ReadLengthInUnits(span[offset..]) * 8;
            if ((SadbExtensionType)BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 2)..]) == type)
            {
                extension = new PfKeyExtension(type, Bytes.Slice(offset, length));
                return true;
            }

            offset += length;
        }

        extension = default;
        return false;
    }

    /// <summary>The extensions in message order, walked in place.</summary>
    public Extensions Walk() => new(Bytes);

    /// <summary>Whether the message holds an extension of <paramref name="type"/>.</summary>
    public bool Has(SadbExtensionType type) => TryGet(type, out _);

    /// <summary>The message split into its extensions (allocates; for the rare rewrites).</summary>
    public PfKeyMessage Parse() =>
        PfKeyMessage.TryParse(Bytes, out var message, out var error)
            ? message
            : throw new InvalidOperationException($"a validated message no longer parses: {error}");

    /// <summary>The extensions of a validated message, as a <c>foreach</c> walks them (no allocation).</summary>
    public struct Extensions(ReadOnlyMemory<byte> bytes)
    {
        private int _next = SadbHeader.Size;

        /// <summary>The extension the walk is at.</summary>
        public PfKeyExtension Current { get; private set; }

        /// <summary>This walk, for <c>foreach</c>.</summary>
        public readonly Extensions GetEnumerator() => this;

        /// <summary>Steps to the next extension; false at the end.</summary>
        public bool MoveNext()
        {
            var span = bytes.Span;
            if (_next + PfKeyExtension.HeaderSize > span.Length)
            {
                return false;
            }

            var length = PfKeyExtension.ReadLengthInUnits(span[_next..]) * 8;
            Current = new PfKeyExtension((SadbExtensionType)BinaryPrimitives.ReadUInt16LittleEndian(span[(_next + 2)..]), bytes.Slice(_next, length));
            _next += length;
            return true;
        }
    }
}
