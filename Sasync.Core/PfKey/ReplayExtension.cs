using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary><c>struct sadb_x_replay</c> (16 bytes): X_REPLAY, the SA's replay counter.</summary>
public readonly record struct ReplayExtension(ulong Count) : IPfKeyExtensionWriter
{
    public const int Size = 16;

    public SadbExtensionType Type => SadbExtensionType.XReplay;

    public int ByteLength => Size;

    public static bool TryRead(PfKeyExtension extension, out ReplayExtension replay, out PfKeyError error)
    {
        replay = default;
        if (!ExtensionLayout.TryCheckFixed(extension, SadbExtensionType.XReplay, Size, "a replay counter", out error))
        {
            return false;
        }

        replay = new ReplayExtension(BinaryPrimitives.ReadUInt64LittleEndian(extension.Span[8..]));
        return true;
    }

    public void Write(Span<byte> destination)
    {
        ExtensionLayout.WriteHeader(destination, Type, Size);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], Count);
    }
}
