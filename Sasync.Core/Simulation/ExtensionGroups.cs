using System.Buffers.Binary;

namespace Sasync.Core.Simulation;

/// <summary>
/// The extension groups of the kernel's SAs and flows, each kept once per distinct content: most entries of a
/// gateway's tables carry the same addresses, identities, lifetimes and SA settings (in bench sync, every SA and
/// every flow), so an entry keeps a reference to the shared group and only what is its own (keys) in a blob of
/// its own. A group counts its users and is freed with the last. Not thread-safe: only touched under the kernel's lock.
/// </summary>
/// <remarks>
/// A group is one blob of the kernel's <see cref="ExtensionArena"/>: an 8-byte header holding which slots are
/// present, then the present extensions in slot order. Two groups with the same blob bytes are the same group, so
/// the offsets of an entry's slots follow from the group alone.
/// </remarks>
internal sealed class ExtensionGroups
{
    private const int HeaderSize = 8;

    private readonly HashSet<ExtensionGroup> _groups = new(ContentComparer.Instance);
    private readonly HashSet<ExtensionGroup>.AlternateLookup<ReadOnlySpan<byte>> _byContent;
    // Groups whose last user went, reused for the next new content: a table whose contents come and go allocates nothing.
    private readonly Stack<ExtensionGroup> _spare = new();
    // Where the content of the group being looked up is laid out.
    private readonly byte[] _content = new byte[HeaderSize + SimulatedKernel.MaxMessageSize];
    // The group Share found or made last: tables are mostly written in runs of like entries (a snapshot's SAs, then
    // its flows), which then cost a compare instead of a hash and a lookup. A released group has an empty blob, and
    // one reused holds its new content, so a match is always the right group.
    private ExtensionGroup? _last;
    // What an entry rewrites of an extension before it shares it (see Scratch).
    private readonly byte[] _scratch = new byte[SimulatedKernel.MaxMessageSize];

    public ExtensionGroups(ExtensionArena arena)
    {
        Arena = arena;
        _byContent = _groups.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Where the groups' blobs, and the entries' own ones, are kept.</summary>
    public ExtensionArena Arena { get; }

    /// <summary>Distinct groups in use.</summary>
    public int Count => _groups.Count;

    /// <summary>
    /// A copy of <paramref name="extension"/> for the caller to change before passing it to <see cref="Share"/>
    /// (an SA extension without its SPI); valid until the next call of this method.
    /// </summary>
    public Memory<byte> Scratch(ReadOnlySpan<byte> extension)
    {
        extension.CopyTo(_scratch);
        return _scratch.AsMemory(0, extension.Length);
    }

    /// <summary>
    /// The group of <paramref name="extensions"/> (at most <see cref="ExtensionGroup.MaxSlots"/>; null ones absent),
    /// found or made, with one more user. Null, without a user, when all are null. The extensions may lie in a group
    /// being replaced: release that one after this call.
    /// </summary>
    public ExtensionGroup? Share(ReadOnlySpan<ReadOnlyMemory<byte>?> extensions)
    {
        Span<ushort> offsets = stackalloc ushort[ExtensionGroup.MaxSlots];
        var present = 0;
        var length = HeaderSize;
        for (var i = 0; i < extensions.Length; i++)
        {
            offsets[i] = KernelLayout.Absent;
            if (extensions[i] is { } bytes)
            {
                present |= 1 << i;
                bytes.Span.CopyTo(_content.AsSpan(length));
                offsets[i] = (ushort)length;
                length += bytes.Length;
            }
        }

        if (present == 0)
        {
            return null;
        }

        _content.AsSpan(0, HeaderSize).Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(_content, (ushort)present);
        var content = _content.AsSpan(0, length);
        if (_last is { } last && content.SequenceEqual(last.Blob.Span))
        {
            last.Users++;
            return last;
        }

        if (!_byContent.TryGetValue(content, out var group))
        {
            var blob = Arena.Allocate(length);
            content.CopyTo(blob.Span);
            group = _spare.TryPop(out var spare) ? spare : new ExtensionGroup();
            group.Reset(blob, HashOf(content), offsets[..extensions.Length]);
            _groups.Add(group);
        }

        group.Users++;
        _last = group;
        return group;
    }

    /// <summary>One user of <paramref name="group"/> (null: none) is gone; the last one frees it.</summary>
    public void Release(ExtensionGroup? group)
    {
        if (group is null || --group.Users > 0)
        {
            return;
        }

        _groups.Remove(group);
        Arena.Free(group.Blob);
        group.Reset(ArenaBlob.None, 0, []);
        _spare.Push(group);
    }

    private static int HashOf(ReadOnlySpan<byte> content)
    {
        var hash = default(HashCode);
        hash.AddBytes(content);
        return hash.ToHashCode();
    }

    /// <summary>Groups are equal when their blobs hold the same bytes; found by those bytes.</summary>
    private sealed class ContentComparer : IEqualityComparer<ExtensionGroup>, IAlternateEqualityComparer<ReadOnlySpan<byte>, ExtensionGroup>
    {
        public static readonly ContentComparer Instance = new();

        public bool Equals(ExtensionGroup? x, ExtensionGroup? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.Blob.Span.SequenceEqual(y.Blob.Span));

        public int GetHashCode(ExtensionGroup obj) => obj.Hash;

        public bool Equals(ReadOnlySpan<byte> alternate, ExtensionGroup other) => alternate.SequenceEqual(other.Blob.Span);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => HashOf(alternate);

        public ExtensionGroup Create(ReadOnlySpan<byte> alternate) => throw new NotSupportedException("groups are made by Share");
    }
}

/// <summary>
/// One group of <see cref="ExtensionGroups"/>: its blob, where each slot's extension starts in the blob's chunk (the
/// same for every entry of the group, so kept here, not per entry), its content's hash, and how many entries use it.
/// </summary>
internal sealed class ExtensionGroup
{
    /// <summary>The most slots a group has.</summary>
    public const int MaxSlots = 16;

    private Offsets _offsets;

    public ArenaBlob Blob { get; private set; } = ArenaBlob.None;

    public int Hash { get; private set; }

    public int Users { get; set; }

    public byte[] Buffer => Blob.Buffer;

    /// <summary>Where the extension of <paramref name="slot"/> starts in <see cref="Buffer"/> (<see cref="KernelLayout.Absent"/>: none).</summary>
    public ushort Offset(int slot) => _offsets[slot];

    /// <summary>Makes this the group of <paramref name="blob"/>, its slots at <paramref name="offsets"/> from the blob's start.</summary>
    public void Reset(ArenaBlob blob, int hash, ReadOnlySpan<ushort> offsets)
    {
        (Blob, Hash, Users) = (blob, hash, 0);
        ((Span<ushort>)_offsets).Fill(KernelLayout.Absent);
        for (var i = 0; i < offsets.Length; i++)
        {
            _offsets[i] = offsets[i] == KernelLayout.Absent ? KernelLayout.Absent : (ushort)(blob.Offset + offsets[i]);
        }
    }

    [System.Runtime.CompilerServices.InlineArray(MaxSlots)]
    private struct Offsets
    {
        private ushort _element;
    }
}
