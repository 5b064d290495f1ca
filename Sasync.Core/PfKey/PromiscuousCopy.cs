namespace Sasync.Core.PfKey;

/// <summary>
/// A message the kernel copied to a promiscuous PF_KEY socket: a 16-byte SADB_X_PROMISC wrapper
/// followed by the original message verbatim (OPENBSD-ABI.md §1.7).
/// </summary>
/// <param name="WriterPid">
/// The wrapper's <c>seq</c>: the pid of the process that wrote the message, or 0 for a copy of a
/// kernel reply sent to another socket (dump records, unicast answers).
/// </param>
/// <param name="Inner">The wrapped message, validated and read in place; for a message written by a process its own pid is the writer's too.</param>
internal readonly record struct PromiscuousCopy(uint WriterPid, PfKeyView Inner)
{
    /// <summary>The smallest wrapped copy: the wrapper and a bare inner header.</summary>
    public const int MinimumLength = 2 * SadbHeader.Size;

    /// <summary>
    /// Unwraps a message read from a promiscuous socket. Anything that is not a wrapped copy
    /// (replies, broadcasts, the bare 16-byte answer to the promiscuous request) gives
    /// <see cref="PromiscuousUnwrap.NotPromiscuous"/>; a wrapper whose inner message does not parse
    /// gives <see cref="PromiscuousUnwrap.Malformed"/> with the error.
    /// </summary>
    public static PromiscuousUnwrap TryUnwrap(ReadOnlyMemory<byte> message, out PromiscuousCopy copy, out PfKeyError error)
    {
        copy = default;
        error = default;
        if (message.Length < SadbHeader.Size)
        {
            error = new PfKeyError(0, $"message of {message.Length} bytes is shorter than the 16-byte header");
            return PromiscuousUnwrap.Malformed;
        }

        var wrapper = SadbHeader.Read(message.Span);
        if (wrapper.Type != SadbMessageType.XPromisc || wrapper.ByteLength < MinimumLength)
        {
            return PromiscuousUnwrap.NotPromiscuous;
        }

        if (wrapper.ByteLength != message.Length)
        {
            error = new PfKeyError(4, $"wrapper length {wrapper.ByteLength} does not match the {message.Length} bytes read");
            return PromiscuousUnwrap.Malformed;
        }

        if (!PfKeyView.TryRead(message[SadbHeader.Size..], out var inner, out var innerError))
        {
            error = innerError with { Offset = innerError.Offset + SadbHeader.Size };
            return PromiscuousUnwrap.Malformed;
        }

        copy = new PromiscuousCopy(wrapper.Sequence, inner);
        return PromiscuousUnwrap.Unwrapped;
    }
}

/// <summary>The outcome of <see cref="PromiscuousCopy.TryUnwrap"/>.</summary>
internal enum PromiscuousUnwrap
{
    Unwrapped,
    NotPromiscuous,
    Malformed,
}
