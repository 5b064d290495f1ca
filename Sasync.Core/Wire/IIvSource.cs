namespace Sasync.Core.Wire;

/// <summary>Supplies the IV of each frame. Injectable so that tests can reproduce frames byte for byte.</summary>
public interface IIvSource
{
    /// <summary>Fills <paramref name="iv"/> (16 bytes) with the next IV.</summary>
    void Fill(Span<byte> iv);
}
