using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Sasync.Core.PfKey;

/// <summary>
/// The rewrites sasyncd applies to PF_KEY messages on their way between kernels: a fresh header
/// followed by the original extension bytes, optionally without the extensions the new type may
/// not carry.
/// </summary>
internal static class PfKeyRewrite
{
    /// <summary>
    /// Copies <paramref name="source"/> under <paramref name="header"/> (its length is recomputed),
    /// keeping the extensions <paramref name="allowed"/> contains, or all of them when it is null.
    /// </summary>
    public static byte[] Rebuild(PfKeyMessage source, SadbHeader header, FrozenSet<SadbExtensionType>? allowed = null)
    {
        var bytes = new byte[RebuiltLength(source, allowed)];
        RebuildInto(source, header, allowed, bytes);
        return bytes;
    }

    /// <summary>How long <see cref="Rebuild"/>'s result is: the header and the extensions kept.</summary>
    public static int RebuiltLength(PfKeyMessage source, FrozenSet<SadbExtensionType>? allowed)
    {
        ArgumentNullException.ThrowIfNull(source);
        var length = SadbHeader.Size;
        foreach (var extension in source.Extensions)
        {
            if (allowed is null || allowed.Allows(extension.Type))
            {
                length += extension.Bytes.Length;
            }
        }

        return length;
    }

    /// <summary><see cref="Rebuild"/> into <paramref name="destination"/>, which is exactly <see cref="RebuiltLength(PfKeyMessage, FrozenSet{SadbExtensionType})"/> bytes long.</summary>
    public static void RebuildInto(PfKeyMessage source, SadbHeader header, FrozenSet<SadbExtensionType>? allowed, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        (header with { Length = (ushort)(destination.Length / 8) }).WriteTo(destination);
        var offset = SadbHeader.Size;
        foreach (var extension in source.Extensions)
        {
            if (allowed is null || allowed.Allows(extension.Type))
            {
                extension.Span.CopyTo(destination[offset..]);
                offset += extension.Bytes.Length;
            }
        }
    }

    /// <summary><see cref="RebuiltLength(PfKeyMessage, FrozenSet{SadbExtensionType})"/> of a view.</summary>
    public static int RebuiltLength(PfKeyView source, FrozenSet<SadbExtensionType>? allowed)
    {
        var length = SadbHeader.Size;
        foreach (var extension in source.Walk())
        {
            if (allowed is null || allowed.Allows(extension.Type))
            {
                length += extension.Bytes.Length;
            }
        }

        return length;
    }

    /// <summary><see cref="RebuildInto(PfKeyMessage, SadbHeader, FrozenSet{SadbExtensionType}, Span{byte})"/> from a view.</summary>
    public static void RebuildInto(PfKeyView source, SadbHeader header, FrozenSet<SadbExtensionType>? allowed, Span<byte> destination)
    {
        (header with { Length = (ushort)(destination.Length / 8) }).WriteTo(destination);
        var offset = SadbHeader.Size;
        foreach (var extension in source.Walk())
        {
            if (allowed is null || allowed.Allows(extension.Type))
            {
                extension.Span.CopyTo(destination[offset..]);
                offset += extension.Bytes.Length;
            }
        }
    }

    /// <summary>
    /// The bytes a MASTER relays to its peers for a message that passed the filter: unchanged,
    /// except that an UPDATE becomes an ADD (peers have no larval SA to update) and loses what an
    /// ADD may not carry (ADDRESS_PROXY).
    /// </summary>
    public static ReadOnlyMemory<byte> ForPeers(PfKeyMessage message) => ForPeers(PfKeyView.Of(message));

    /// <inheritdoc cref="ForPeers(PfKeyMessage)"/>
    public static ReadOnlyMemory<byte> ForPeers(PfKeyView message) =>
        message.Type == SadbMessageType.Update
            ? Rebuild(message.Parse(), message.Header with { Type = SadbMessageType.Add }, AllowedExtensions.InAdd)
            : message.Bytes;

    /// <summary>
    /// Prepares a message received from the MASTER for our kernel, which accepts only our own pid
    /// in <c>sadb_msg_pid</c>: the same message with <paramref name="pid"/> and <paramref name="sequence"/>.
    /// </summary>
    public static bool TryPrepareForKernel(ReadOnlyMemory<byte> plaintext, uint pid, uint sequence, [NotNullWhen(true)] out byte[]? message, out PfKeyError error)
    {
        if (!PfKeyMessage.TryValidate(plaintext, out var header, out error))
        {
            message = null;
            return false;
        }

        message = PrepareForKernel(plaintext.Span, ForKernel(header, pid, sequence));
        return true;
    }

    /// <summary>The header a validated message from the MASTER gets for our kernel: our pid and our sequence number.</summary>
    public static SadbHeader ForKernel(SadbHeader header, uint pid, uint sequence) => header with { Sequence = sequence, Pid = pid };

    /// <summary>A copy of a validated message under <paramref name="header"/> (see <see cref="ForKernel"/>).</summary>
    public static byte[] PrepareForKernel(ReadOnlySpan<byte> plaintext, SadbHeader header)
    {
        var message = new byte[plaintext.Length];
        PrepareForKernel(plaintext, header, message);
        return message;
    }

    /// <summary><see cref="PrepareForKernel(ReadOnlySpan{byte}, SadbHeader)"/> into <paramref name="destination"/>, at least as long as the message.</summary>
    public static void PrepareForKernel(ReadOnlySpan<byte> plaintext, SadbHeader header, Span<byte> destination)
    {
        plaintext[SadbHeader.Size..].CopyTo(destination[SadbHeader.Size..]);
        header.WriteTo(destination);
    }
}
