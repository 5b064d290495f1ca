using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_policy</c> (8 bytes): X_POLICY, the sequence number of a policy.</summary>
public readonly record struct PolicyExtension(uint Sequence) : IPfKeyExtensionWriter
{
    public const int Size = 8;

    public SadbExtensionType Type => SadbExtensionType.XPolicy;

    public int ByteLength => Size;

    public static bool TryRead(PfKeyExtension extension, out PolicyExtension policy, out PfKeyError error)
    {
        policy = default;
        if (!ExtensionLayout.TryCheckType(extension, "a policy", out error, SadbExtensionType.XPolicy)
            || !ExtensionLayout.TryCheckExactLength(extension, Size, out error))
        {
            return false;
        }

        policy = new PolicyExtension(BinaryPrimitives.ReadUInt32LittleEndian(extension.Span[4..]));
        return true;
    }

    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Sequence);
    }
}
