using System.Buffers.Binary;
using Sasync.Core.Platform;

namespace Sasync.Core.Privsep;

/// <summary>Reply bodies with structure: the dump is <c>u32 sadb length | sadb | u32 spd length | spd</c>.</summary>
internal static class PrivsepReplyCodec
{
    /// <exception cref="InvalidDataException">The lengths do not add up to the body.</exception>
    public static KernelDump ParseDump(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        if (span.Length < 8)
        {
            throw new InvalidDataException($"a dump reply is at least 8 bytes, got {span.Length}");
        }

        var sadbLength = BinaryPrimitives.ReadUInt32BigEndian(span);
        if (sadbLength > (uint)(span.Length - 8))
        {
            throw new InvalidDataException($"the SADB length {sadbLength} exceeds the reply");
        }

        var spdAt = 4 + (int)sadbLength;
        var spdLength = BinaryPrimitives.ReadUInt32BigEndian(span[spdAt..]);
        if (spdLength != (uint)(span.Length - spdAt - 4))
        {
            throw new InvalidDataException($"the SPD length {spdLength} does not match the reply");
        }

        return new KernelDump(body.Slice(4, (int)sadbLength), body.Slice(spdAt + 4));
    }
}
