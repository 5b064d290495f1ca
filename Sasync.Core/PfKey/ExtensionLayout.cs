using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>Checks and helpers the typed extension readers and writers share.</summary>
internal static class ExtensionLayout
{
    /// <summary>PADUP of pfkeyv2.h: rounds up to the next multiple of 8.</summary>
    public static int PadUp(int length) => (length + 7) & ~7;

    public static void WriteHeader(Span<byte> destination, SadbExtensionType type, int byteLength)
    {
        if (byteLength % 8 != 0 || byteLength / 8 > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(byteLength), byteLength, "an extension is a multiple of 8 bytes, at most 65535 units");
        }

        destination[..byteLength].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)(byteLength / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)type);
    }

    public static bool TryCheckType(PfKeyExtension extension, string what, out PfKeyError error, params ReadOnlySpan<SadbExtensionType> allowed)
    {
        // A loop, not MemoryExtensions.Contains: the lists hold one to eight types, and the vectorized search
        // cost more than the comparisons on every extension of every message validated.
        foreach (var type in allowed)
        {
            if (type == extension.Type)
            {
                error = default;
                return true;
            }
        }

        error = new PfKeyError(2, $"extension type {(ushort)extension.Type} does not hold {what}");
        return false;
    }

    /// <summary>Type check and exact-size check of a fixed-size extension, in one step.</summary>
    public static bool TryCheckFixed(PfKeyExtension extension, SadbExtensionType type, int size, string what, out PfKeyError error) =>
        TryCheckType(extension, what, out error, type) && TryCheckExactLength(extension, size, out error);

    public static bool TryCheckExactLength(PfKeyExtension extension, int size, out PfKeyError error)
    {
        if (extension.Bytes.Length == size)
        {
            error = default;
            return true;
        }

        error = new PfKeyError(0, $"{PfKeyNames.ExtensionTypeName(extension.Type)} extension is {extension.Bytes.Length} bytes, expected {size}");
        return false;
    }

    public static bool TryCheckMinimumLength(PfKeyExtension extension, int size, out PfKeyError error)
    {
        if (extension.Bytes.Length >= size)
        {
            error = default;
            return true;
        }

        error = new PfKeyError(0, $"{PfKeyNames.ExtensionTypeName(extension.Type)} extension is {extension.Bytes.Length} bytes, shorter than its {size}-byte header");
        return false;
    }
}
