namespace Sasync.Core.PfKey;

/// <summary>Why a PF_KEY message was refused, and the byte offset where the problem was found.</summary>
public readonly record struct PfKeyError(int Offset, string Message)
{
    /// <summary>The message and its byte offset, e.g. "extension 5 appears twice (at byte 48)".</summary>
    public override string ToString() => $"{Message} (at byte {Offset})";
}
