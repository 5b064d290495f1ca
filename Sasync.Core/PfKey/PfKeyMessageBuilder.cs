using System.Diagnostics.CodeAnalysis;

namespace Sasync.Core.PfKey;

/// <summary>
/// Lays out a PF_KEY v2 message from header fields and extensions (typed records, or raw
/// <see cref="PfKeyExtension"/>s for types without a typed view), filling in every length field.
/// A builder made <see cref="From"/> a parsed message rebuilds its bytes exactly.
/// </summary>
public sealed class PfKeyMessageBuilder
{
    /// <summary>The largest message <c>sadb_msg_len</c> (u16, 8-byte units) can describe.</summary>
    public const int MaxByteLength = ushort.MaxValue * 8;

    private readonly List<IPfKeyExtensionWriter> _extensions = [];

    /// <summary>A builder for a message with these header fields and no extensions yet.</summary>
    /// <param name="type">The message type.</param>
    /// <param name="saType">The SA type; UNSPEC for messages about no particular type.</param>
    /// <param name="sequence"><c>sadb_msg_seq</c>, echoed by the kernel in its reply.</param>
    /// <param name="pid"><c>sadb_msg_pid</c>: the writer's process id, as the kernel expects it (see <see cref="Platform.IKeyEngine.Pid"/>).</param>
    public PfKeyMessageBuilder(SadbMessageType type, SadbSaType saType = SadbSaType.Unspec, uint sequence = 0, uint pid = 0)
    {
        Type = type;
        SaType = saType;
        Sequence = sequence;
        Pid = pid;
    }

    /// <summary><c>sadb_msg_version</c>; PF_KEY_V2 unless set.</summary>
    public byte Version { get; set; } = SadbHeader.Version2;

    /// <summary><c>sadb_msg_type</c>.</summary>
    public SadbMessageType Type { get; set; }

    /// <summary><c>sadb_msg_errno</c>: 0 in requests; the kernel's errno in its replies.</summary>
    public byte Errno { get; set; }

    /// <summary><c>sadb_msg_satype</c>.</summary>
    public SadbSaType SaType { get; set; }

    /// <summary><c>sadb_msg_reserved</c>, kept so that a parsed message rebuilds byte for byte.</summary>
    public ushort Reserved { get; set; }

    /// <summary><c>sadb_msg_seq</c>.</summary>
    public uint Sequence { get; set; }

    /// <summary><c>sadb_msg_pid</c>.</summary>
    public uint Pid { get; set; }

    /// <summary>The extensions in the order they will be written.</summary>
    public IReadOnlyList<IPfKeyExtensionWriter> Extensions => _extensions;

    /// <summary>The size of the message <see cref="TryBuild"/> produces.</summary>
    public int ByteLength => SadbHeader.Size + _extensions.Sum(e => e.ByteLength);

    /// <summary>A builder holding <paramref name="message"/>'s header and its extensions as raw bytes.</summary>
    public static PfKeyMessageBuilder From(PfKeyMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var header = message.Header;
        var builder = new PfKeyMessageBuilder(header.Type, header.SaType, header.Sequence, header.Pid)
        {
            Version = header.Version,
            Errno = header.Errno,
            Reserved = header.Reserved,
        };
        foreach (var extension in message.Extensions)
        {
            builder.Add(extension);
        }

        return builder;
    }

    /// <summary>Appends <paramref name="extension"/>; a second one of the same type makes <see cref="TryBuild"/> fail (use <see cref="Set"/> to replace).</summary>
    /// <returns>This builder, for chaining.</returns>
    public PfKeyMessageBuilder Add(IPfKeyExtensionWriter extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        _extensions.Add(extension);
        return this;
    }

    /// <summary>Removes every extension of <paramref name="type"/>; returns how many were removed.</summary>
    public int Remove(SadbExtensionType type) => _extensions.RemoveAll(e => e.Type == type);

    /// <summary>Replaces the extension of the same type, or adds it when there is none.</summary>
    public PfKeyMessageBuilder Set(IPfKeyExtensionWriter extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        var index = _extensions.FindIndex(e => e.Type == extension.Type);
        if (index < 0)
        {
            _extensions.Add(extension);
        }
        else
        {
            _extensions[index] = extension;
        }

        return this;
    }

    /// <summary>
    /// Writes the message. Refuses a message too long for its length field, an extension whose size
    /// is not a multiple of 8, and a type given twice (the kernel refuses duplicates).
    /// </summary>
    public bool TryBuild([NotNullWhen(true)] out byte[]? bytes, out PfKeyError error)
    {
        bytes = null;
        var length = SadbHeader.Size;
        var seen = new HashSet<SadbExtensionType>();
        foreach (var extension in _extensions)
        {
            var size = extension.ByteLength;
            if (size < 8 || size % 8 != 0)
            {
                error = new PfKeyError(length, $"{PfKeyNames.ExtensionTypeName(extension.Type)} extension of {size} bytes is not a positive multiple of 8");
                return false;
            }

            if (!seen.Add(extension.Type))
            {
                error = new PfKeyError(length, $"extension {(ushort)extension.Type} ({PfKeyNames.ExtensionTypeName(extension.Type)}) is given twice");
                return false;
            }

            length += size;
            if (length > MaxByteLength)
            {
                error = new PfKeyError(0, $"message of more than {MaxByteLength} bytes cannot be described by its length field");
                return false;
            }
        }

        bytes = new byte[length];
        new SadbHeader(Version, Type, Errno, SaType, (ushort)(length / 8), Reserved, Sequence, Pid).WriteTo(bytes);
        var offset = SadbHeader.Size;
        foreach (var extension in _extensions)
        {
            extension.Write(bytes.AsSpan(offset, extension.ByteLength));
            offset += extension.ByteLength;
        }

        error = default;
        return true;
    }

    /// <summary>Like <see cref="TryBuild"/>, for callers whose extensions are known to be well formed.</summary>
    public byte[] Build() =>
        TryBuild(out var bytes, out var error) ? bytes : throw new InvalidOperationException(error.ToString());

    /// <summary>Builds and parses the result, so the caller gets the message view.</summary>
    public bool TryBuildMessage([NotNullWhen(true)] out PfKeyMessage? message, out PfKeyError error)
    {
        message = null;
        return TryBuild(out var bytes, out error) && PfKeyMessage.TryParse(bytes, out message, out error);
    }
}
