using System.Collections.Immutable;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_prop</c> (8 bytes: len, exttype, num, replay, reserved) followed by
/// <c>sadb_comb</c> entries: PROPOSAL, as the kernel sends it in an ACQUIRE.
/// </summary>
public readonly record struct ProposalExtension(byte Number, byte Replay, ImmutableArray<SadbCombination> Combinations) : IPfKeyExtensionWriter
{
    public const int HeaderSize = 8;

    public SadbExtensionType Type => SadbExtensionType.Proposal;

    public int ByteLength => HeaderSize + (Combinations.IsDefault ? 0 : Combinations.Length * SadbCombination.Size);

    public static bool TryRead(PfKeyExtension extension, out ProposalExtension proposal, out PfKeyError error)
    {
        proposal = default;
        if (!ExtensionLayout.TryCheckType(extension, "a proposal", out error, SadbExtensionType.Proposal)
            || !ExtensionLayout.TryCheckMinimumLength(extension, HeaderSize, out error))
        {
            return false;
        }

        var span = extension.Span;
        if ((span.Length - HeaderSize) % SadbCombination.Size != 0)
        {
            error = new PfKeyError(HeaderSize, $"PROPOSAL body of {span.Length - HeaderSize} bytes is not a whole number of {SadbCombination.Size}-byte combinations");
            return false;
        }

        var combinations = ImmutableArray.CreateBuilder<SadbCombination>((span.Length - HeaderSize) / SadbCombination.Size);
        for (var offset = HeaderSize; offset < span.Length; offset += SadbCombination.Size)
        {
            combinations.Add(SadbCombination.Read(span[offset..]));
        }

        proposal = new ProposalExtension(span[4], span[5], combinations.MoveToImmutable());
        return true;
    }

    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, ByteLength);
        destination[4] = Number;
        destination[5] = Replay;
        var offset = HeaderSize;
        foreach (var combination in Combinations.IsDefault ? [] : Combinations)
        {
            combination.Write(destination[offset..]);
            offset += SadbCombination.Size;
        }
    }
}
