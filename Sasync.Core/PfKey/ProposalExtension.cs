using System.Collections.Immutable;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_prop</c> (8 bytes: len, exttype, num, replay, reserved) followed by
/// <c>sadb_comb</c> entries: PROPOSAL, as the kernel sends it in an ACQUIRE.
/// </summary>
public readonly record struct ProposalExtension(byte Number, byte Replay, ImmutableArray<SadbCombination> Combinations) : IPfKeyExtensionWriter
{
    /// <summary>Bytes of the fixed part before the variable-length data, <c>sadb_ext</c> header included.</summary>
    public const int HeaderSize = 8;

    /// <inheritdoc/>
    public SadbExtensionType Type => SadbExtensionType.Proposal;

    /// <inheritdoc/>
    public int ByteLength => HeaderSize + (Combinations.IsDefault ? 0 : Combinations.Length * SadbCombination.Size);

    /// <summary>Reads <paramref name="extension"/> as a <see cref="ProposalExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
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

    /// <inheritdoc/>
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
