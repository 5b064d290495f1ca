using System.Security.Cryptography;

namespace Sasync.Core.Wire;

/// <summary>
/// Fresh IVs from the system CSPRNG. The generator is asked for 64 IVs at a time because one call per
/// 16 bytes costs more than encrypting the frame. Not thread-safe: one per encoder.
/// </summary>
public sealed class RandomIvSource : IIvSource
{
    private readonly byte[] _pool = new byte[64 * FrameLayout.IvSize];
    private int _next;

    /// <summary>A source whose first <see cref="Fill"/> draws a fresh pool.</summary>
    public RandomIvSource() => _next = _pool.Length;

    /// <inheritdoc/>
    public void Fill(Span<byte> iv)
    {
        if (iv.Length > _pool.Length)
        {
            RandomNumberGenerator.Fill(iv);
            return;
        }

        if (_next + iv.Length > _pool.Length)
        {
            RandomNumberGenerator.Fill(_pool);
            _next = 0;
        }

        _pool.AsSpan(_next, iv.Length).CopyTo(iv);
        _next += iv.Length;
    }
}
