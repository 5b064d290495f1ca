using Sasync.Core.PfKey;

namespace Sasync.Core.Simulation;

/// <summary>
/// A message that passed the kernel's checks, as the kernel holds it while executing it: the header
/// and one slot per extension number (the <c>headers[]</c> array of pfkeyv2_dosend). Commands
/// replace or clear slots to form the reply.
/// </summary>
internal sealed class KernelRequest
{
    private readonly byte[]?[] _extensions = new byte[(int)SadbExtensionTypes.Max + 1][];

    public KernelRequest(SadbHeader header, ReadOnlyMemory<byte> bytes)
    {
        Header = header;
        Bytes = bytes;
    }

    public SadbHeader Header { get; set; }

    /// <summary>The message exactly as written.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public SadbMessageType Type => Header.Type;

    public byte[]? this[SadbExtensionType type]
    {
        get => _extensions[(int)type];
        set => _extensions[(int)type] = value;
    }

    public bool Has(SadbExtensionType type) => _extensions[(int)type] is not null;

    public void ClearExtensions() => Array.Clear(_extensions);

    /// <summary>The extension numbers present, as a bit set.</summary>
    public ulong Seen()
    {
        ulong seen = 0;
        for (var i = 1; i < _extensions.Length; i++)
        {
            if (_extensions[i] is not null)
            {
                seen |= 1UL << i;
            }
        }

        return seen;
    }

    /// <summary>The reply pfkeyv2_sendmessage builds: this header, then the extensions in number order.</summary>
    public byte[] ToReply()
    {
        var list = new List<byte[]>();
        for (var i = 1; i < _extensions.Length; i++)
        {
            if (_extensions[i] is { } extension)
            {
                list.Add(KernelLayout.Retyped(extension, (SadbExtensionType)i));
            }
        }

        return KernelLayout.Message(Header, list);
    }
}
