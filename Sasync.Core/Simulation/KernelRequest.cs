using System.Buffers.Binary;
using System.Numerics;
using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// A message that passed the kernel's checks, as the kernel holds it while executing it: the header
/// and one slot per extension number (the <c>headers[]</c> array of pfkeyv2_dosend). Commands
/// replace or clear slots to form the reply.
/// </summary>
internal sealed class KernelRequest
{
    private readonly ReadOnlyMemory<byte>?[] _extensions = new ReadOnlyMemory<byte>?[(int)SadbExtensionTypes.Max + 1];

    // The slots in use as a bit set and their total size, kept as slots change so that checks and
    // the reply need no scan of all slots (every write builds a reply).
    private ulong _seen;
    private int _extensionBytes;

    public KernelRequest(SadbHeader header)
    {
        Header = header;
    }

    /// <summary>Makes this request empty with <paramref name="header"/>, so the kernel can reuse one request for every write.</summary>
    public void Reset(SadbHeader header)
    {
        ClearExtensions();
        Header = header;
    }

    public SadbHeader Header { get; set; }

    public SadbMessageType Type => Header.Type;

    public ReadOnlyMemory<byte>? this[SadbExtensionType type]
    {
        get => _extensions[(int)type];
        set
        {
            var bit = 1UL << (int)type;
            if (_extensions[(int)type] is { } old)
            {
                _extensionBytes -= old.Length;
                _seen &= ~bit;
            }

            _extensions[(int)type] = value;
            if (value is not null)
            {
                _extensionBytes += value.Value.Length;
                _seen |= bit;
            }
        }
    }

    /// <summary>A slot the kernel's checks guarantee to be filled (a required extension).</summary>
    public ReadOnlyMemory<byte> Required(SadbExtensionType type) =>
        _extensions[(int)type] ?? throw new InvalidOperationException($"extension {type} is missing although required");

    public bool Has(SadbExtensionType type) => _extensions[(int)type] is not null;

    public void ClearExtensions()
    {
        for (var remaining = _seen; remaining != 0; remaining &= remaining - 1)
        {
            _extensions[BitOperations.TrailingZeroCount(remaining)] = null;
        }

        _seen = 0;
        _extensionBytes = 0;
    }

    /// <summary>The extension numbers present, as a bit set.</summary>
    public ulong Seen() => _seen;

    /// <summary>Bytes of the reply <see cref="WriteReply"/> writes.</summary>
    public int ReplyLength => SadbHeader.Size + _extensionBytes;

    /// <summary>The reply pfkeyv2_sendmessage builds, written to <paramref name="reply"/> (<see cref="ReplyLength"/> bytes): this header, then the extensions in number order.</summary>
    public void WriteReply(Span<byte> reply)
    {
        // Each slot is copied once and its type field set to its slot number there (a slot may hold
        // an extension read under another number).
        (Header with { Length = (ushort)(reply.Length / 8) }).WriteTo(reply);
        var offset = SadbHeader.Size;
        for (var remaining = _seen; remaining != 0; remaining &= remaining - 1)
        {
            var type = BitOperations.TrailingZeroCount(remaining);
            var extension = _extensions[type]!.Value;
            extension.Span.CopyTo(reply[offset..]);
            BinaryPrimitives.WriteUInt16LittleEndian(reply[(offset + 2)..], (ushort)type);
            offset += extension.Length;
        }
    }
}
