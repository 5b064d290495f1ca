using System.Buffers.Binary;

namespace Sasync.Core.Wire;

/// <summary>The 12-byte plaintext of a control frame: type, data, data2, each a big-endian u32.</summary>
public readonly record struct ControlMessage(ControlType Type, uint Data, uint Data2 = 0)
{
    public const int Size = 12;

    public static ControlMessage StateOf(RunState state) => new(ControlType.State, (uint)state);

    /// <summary>The answer to a STATE: <c>ACK, data = STATE (the type acknowledged), data2 = our state</c> (net_ctl.c).</summary>
    public static ControlMessage AckOf(RunState state) => new(ControlType.Ack, (uint)ControlType.State, (uint)state);

    /// <summary>
    /// An ERROR about a message of type <paramref name="rejected"/>: STATE for a bad or second-MASTER
    /// state, UNKNOWN for a malformed control message, RESERVED (0) for refused PF_KEY data (net.c, net_ctl.c).
    /// </summary>
    public static ControlMessage ErrorOf(ControlType rejected) => new(ControlType.Error, (uint)rejected);

    public static ControlMessage EndSnapshot => new(ControlType.EndSnapshot, 0);

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)Type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Data);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Data2);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Reads a control message; false when the plaintext is not exactly 12 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> plaintext, out ControlMessage message)
    {
        if (plaintext.Length != Size)
        {
            message = default;
            return false;
        }

        message = new ControlMessage(
            (ControlType)BinaryPrimitives.ReadUInt32BigEndian(plaintext),
            BinaryPrimitives.ReadUInt32BigEndian(plaintext[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(plaintext[8..]));
        return true;
    }
}
