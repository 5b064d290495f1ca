using System.Collections.Immutable;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_supported</c> (8 bytes) followed by <c>sadb_alg</c> entries: SUPPORTED_AUTH,
/// SUPPORTED_ENCRYPT and X_SUPPORTED_COMP, as the kernel answers a REGISTER.
/// </summary>
public readonly record struct SupportedExtension(SadbExtensionType Type, ImmutableArray<SadbAlgorithm> Algorithms) : IPfKeyExtensionWriter
{
    /// <summary>Bytes of the fixed part before the variable-length data, <c>sadb_ext</c> header included.</summary>
    public const int HeaderSize = 8;

    /// <inheritdoc/>
    public int ByteLength => HeaderSize + (Algorithms.IsDefault ? 0 : Algorithms.Length * SadbAlgorithm.Size);

    /// <summary>Reads <paramref name="extension"/> as a <see cref="SupportedExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out SupportedExtension supported, out PfKeyError error)
    {
        supported = default;
        if (!ExtensionLayout.TryCheckType(extension, "supported algorithms", out error, SadbExtensionType.SupportedAuth,
                SadbExtensionType.SupportedEncrypt, SadbExtensionType.XSupportedComp)
            || !ExtensionLayout.TryCheckMinimumLength(extension, HeaderSize, out error))
        {
            return false;
        }

        var span = extension.Span;
        var algorithms = ImmutableArray.CreateBuilder<SadbAlgorithm>((span.Length - HeaderSize) / SadbAlgorithm.Size);
        for (var offset = HeaderSize; offset + SadbAlgorithm.Size <= span.Length; offset += SadbAlgorithm.Size)
        {
            algorithms.Add(SadbAlgorithm.Read(span[offset..]));
        }

        supported = new SupportedExtension(extension.Type, algorithms.ToImmutable());
        return true;
    }

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, ByteLength);
        var offset = HeaderSize;
        foreach (var algorithm in Algorithms.IsDefault ? [] : Algorithms)
        {
            algorithm.Write(destination[offset..]);
            offset += SadbAlgorithm.Size;
        }
    }
}
