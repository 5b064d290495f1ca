using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>Hands out the given IVs in turn, then counts up from zero, so frames are reproducible.</summary>
public sealed class FixedIvSource(params byte[][] ivs) : IIvSource
{
    private int _next;

    public void Fill(Span<byte> iv)
    {
        if (_next < ivs.Length)
        {
            ivs[_next].CopyTo(iv);
        }
        else
        {
            iv.Clear();
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(iv[^4..], _next);
        }

        _next++;
    }
}
