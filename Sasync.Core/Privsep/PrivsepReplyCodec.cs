using Sasync.Core.Platform;

namespace Sasync.Core.Privsep;

/// <summary>Reply bodies with structure: a dump chunk is <c>u8 table (0 SADB, 1 SPD) | records</c>.</summary>
internal static class PrivsepReplyCodec
{
    /// <exception cref="InvalidDataException">The body names no table.</exception>
    public static KernelDumpChunk ParseDumpChunk(ReadOnlyMemory<byte> body, Action release)
    {
        var span = body.Span;
        if (span.Length < 1 || span[0] > 1)
        {
            throw new InvalidDataException(span.Length < 1 ? "an empty dump chunk" : $"a dump chunk of table {span[0]}, expected 0 or 1");
        }

        return new KernelDumpChunk(span[0] == 0 ? KernelDumpTable.Sadb : KernelDumpTable.Spd, body[1..], release);
    }
}
