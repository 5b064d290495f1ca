namespace Sasync.Core.Wire;

/// <summary>A decoded frame whose plaintext the decoder allocated (exactly its length).</summary>
public readonly record struct DecodedFrame(WireMessageType Type, byte[] Plaintext, int PadLength)
{
    /// <summary>The control message, when this is a control frame with a 12-byte plaintext.</summary>
    public bool TryGetControl(out ControlMessage message)
    {
        if (Type == WireMessageType.Control)
        {
            return ControlMessage.TryRead(Plaintext, out message);
        }

        message = default;
        return false;
    }
}
