using System.Buffers.Binary;

namespace Sasync.Core.Wire;

/// <summary>
/// The first control message sasyncd-cs writes on every new connection: a type far from the original's
/// 0..5, which an original sasyncd logs and ignores, then the protocol version, capability bits, the
/// sending process's instance id and (version 2) a fresh random nonce for this connection. Its plaintext
/// is longer than the original's 12-byte control message (the original accepts longer ones and reads
/// only the first 12 bytes).
/// </summary>
/// <remarks>
/// Layout, big-endian: <c>u32 type (0x53430001) | u32 version | u32 capabilities | 16 bytes instance id</c>
/// (28 bytes, version 1), then for version 2 and later <c>| 32 bytes nonce</c> (60 bytes). A reader accepts
/// trailing bytes after them, so that a later version can extend it; a version-1 reader reads a version-2
/// HELLO as a version-1 one.
/// </remarks>
/// <param name="Version">The sasyncd-cs peer protocol version of the sender.</param>
/// <param name="Capabilities">Feature bits (<see cref="HelloCapabilities"/>).</param>
/// <param name="InstanceId">Random, fixed for the life of the sending daemon process: a new one means the peer restarted.</param>
/// <param name="Nonce">Random, fresh for each connection (version 2 on; zero in a version-1 HELLO).</param>
public readonly record struct HelloMessage(uint Version, uint Capabilities, UInt128 InstanceId, HelloNonce Nonce = default)
{
    /// <summary>The control message type of a HELLO ("SC" and 1).</summary>
    public const uint Type = 0x53430001;

    /// <summary>The protocol version this build speaks: 2, the HELLO with a nonce and the FINISHED exchange.</summary>
    public const uint CurrentVersion = 2;

    /// <summary>The first version whose HELLO carries a nonce and whose sender exchanges FINISHED.</summary>
    public const uint NonceVersion = 2;

    /// <summary>Bytes of a version-1 HELLO, the shortest a reader accepts.</summary>
    public const int V1Size = 28;

    /// <summary>Bytes of a HELLO as this version writes it.</summary>
    public const int Size = V1Size + HelloNonce.Size;

    /// <summary>What the sender offers, as flags.</summary>
    public HelloCapabilities Offers => (HelloCapabilities)Capabilities;

    /// <summary>True when this HELLO carries a nonce (and its sender will exchange FINISHED).</summary>
    public bool HasNonce => Version >= NonceVersion;

    /// <summary>Bytes of this HELLO on the wire: <see cref="Size"/>, or <see cref="V1Size"/> for a version-1 one.</summary>
    public int Length => HasNonce ? Size : V1Size;

    /// <summary>Writes the <see cref="Length"/> bytes of this HELLO at the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="destination"/> is shorter than <see cref="Length"/>.</exception>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Capabilities);
        BinaryPrimitives.WriteUInt128BigEndian(destination[12..], InstanceId);
        if (HasNonce)
        {
            Nonce.WriteTo(destination[V1Size..]);
        }
    }

    /// <summary>This HELLO as a new array of <see cref="Length"/> bytes, the plaintext of its control message.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>True when a control plaintext claims to be a HELLO (by its type), whether or not it is whole.</summary>
    public static bool IsHello(ReadOnlySpan<byte> plaintext) =>
        plaintext.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(plaintext) == Type;

    /// <summary>
    /// Reads a HELLO; false when the type differs, the plaintext is shorter than <see cref="V1Size"/>, or it
    /// claims version 2 or later without the nonce.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> plaintext, out HelloMessage hello)
    {
        hello = default;
        if (plaintext.Length < V1Size || !IsHello(plaintext))
        {
            return false;
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(plaintext[4..]);
        if (version >= NonceVersion && plaintext.Length < Size)
        {
            return false;
        }

        hello = new HelloMessage(
            version,
            BinaryPrimitives.ReadUInt32BigEndian(plaintext[8..]),
            BinaryPrimitives.ReadUInt128BigEndian(plaintext[12..]),
            version >= NonceVersion ? HelloNonce.Read(plaintext[V1Size..]) : default);
        return true;
    }
}
