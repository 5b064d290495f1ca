using System.Buffers.Binary;

namespace Sasync.Core.Wire;

/// <summary>
/// The 12-byte plaintext of a control frame: type, data, data2, each a big-endian u32.
/// What data and data2 mean depends on the type: STATE carries the sender's run state in data;
/// ACK carries the acknowledged type in data and, for STATE, the acknowledger's run state in data2;
/// ERROR carries the type it refuses in data (RESERVED for PF_KEY data, STATE for a state conflict).
/// </summary>
public readonly record struct ControlMessage(ControlType Type, uint Data, uint Data2 = 0)
{
    /// <summary>The plaintext size of every control message, in bytes.</summary>
    public const int Size = 12;

    /// <summary>STATE: "my run state is <paramref name="state"/>".</summary>
    public static ControlMessage StateOf(RunState state) => new(ControlType.State, (uint)state);

    /// <summary>The ACK of a STATE, carrying the acknowledger's own run state.</summary>
    public static ControlMessage AckOf(RunState state) => new(ControlType.Ack, (uint)ControlType.State, (uint)state);

    /// <summary>ERROR refusing a message of type <paramref name="refused"/>.</summary>
    public static ControlMessage ErrorOf(ControlType refused) => new(ControlType.Error, (uint)refused);

    /// <summary>ERROR about a STATE (e.g. two MASTERs); its receiver rechecks its carp state.</summary>
    public static ControlMessage StateError => ErrorOf(ControlType.State);

    /// <summary>ERROR refusing PF_KEY data (sent with type RESERVED by the original).</summary>
    public static ControlMessage PfKeyError => ErrorOf(ControlType.Reserved);

    /// <summary>ERROR refusing an unreadable control message.</summary>
    public static ControlMessage UnknownError => ErrorOf(ControlType.Unknown);

    /// <summary>ENDSNAP: the sender has sent its whole snapshot.</summary>
    public static ControlMessage EndSnapshot => new(ControlType.EndSnapshot, 0);

    /// <summary>
    /// The run state this message reports: data of a STATE, data2 of an ACK of a STATE.
    /// False for other messages and for numbers that are no run state.
    /// </summary>
    public bool TryGetRunState(out RunState state)
    {
        var value = Type switch
        {
            ControlType.State => Data,
            ControlType.Ack when Data == (uint)ControlType.State => Data2,
            _ => uint.MaxValue,
        };
        state = (RunState)value;
        return value <= (uint)RunState.Fail;
    }

    /// <summary>Writes the 12 plaintext bytes (three big-endian u32) to the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)Type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Data);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Data2);
    }

    /// <summary>The 12 plaintext bytes in a new array.</summary>
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
