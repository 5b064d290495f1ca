namespace Sasync.Core.PfKey;

/// <summary>Why a PF_KEY message was refused, and the byte offset where the problem was found.</summary>
public readonly record struct PfKeyError(int Offset, string Message)
{
    public override string ToString() => $"{Message} (at byte {Offset})";
}
