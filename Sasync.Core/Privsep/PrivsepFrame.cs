using System.Buffers.Binary;

namespace Sasync.Core.Privsep;

/// <summary>
/// One message on the privilege-separation channel (and on the simulated PF_KEY stream):
/// <c>u32 length | u8 type | u32 id | body</c>, big-endian, where length counts type, id and body.
/// </summary>
internal readonly record struct PrivsepFrame(byte Type, uint Id, ReadOnlyMemory<byte> Body)
{
    /// <summary>Bytes of the length, type and id fields.</summary>
    public const int HeaderSize = 9;

    /// <summary>The length field's value for a frame with an empty body.</summary>
    public const int MinLength = HeaderSize - 4;

    /// <summary>Writes the header of a frame whose body is <paramref name="bodyLength"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, byte type, uint id, int bodyLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(MinLength + bodyLength));
        destination[4] = type;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], id);
    }

    /// <summary>The whole frame as one array.</summary>
    public static byte[] Encode(byte type, uint id, ReadOnlySpan<byte> body)
    {
        var frame = new byte[HeaderSize + body.Length];
        WriteHeader(frame, type, id, body.Length);
        body.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }
}
