using System.Buffers.Binary;

namespace Sasync.Core.PfKey;

/// <summary>
/// The layout checks of <see cref="PfKeyExtensionReader"/> for the extension types every SA and flow carries, on the
/// bytes alone: no <see cref="PfKeyExtension"/>, no reader picked by a switch, no error made. True only for an
/// extension the full check accepts; false means "not known good here", and the full check then decides (and says why).
/// </summary>
/// <remarks>
/// Each message of a snapshot or a relay is validated by the daemon (the MASTER's dump records, the MASTER's kernel
/// messages, the SLAVE's peer frames), about ten extensions each: the full check's calls per extension took about a
/// sixth of a snapshot's CPU in a perf profile.
/// </remarks>
internal static class ExtensionQuickCheck
{
    // The exact length of the fixed-size types (their readers check the type and that length only); 0: not fixed.
    private static ReadOnlySpan<byte> FixedLengths =>
    [
        0, // reserved
        SaExtension.Size, // SA
        LifetimeExtension.Size, LifetimeExtension.Size, LifetimeExtension.Size, // CURRENT, HARD, SOFT
        0, 0, 0, // addresses
        0, 0, // keys
        0, 0, // identities
        0, 0, 0, 0, 0, // sensitivity, proposal, supported x2, spirange
        0, 0, // masks
        ProtocolLayout.Size, // X_PROTOCOL
        ProtocolLayout.Size, // X_FLOW_TYPE
        0, 0, // flows
        SaExtension.Size, // X_SA2
        0, // X_DST2
    ];

    /// <summary>Whether <paramref name="extension"/> (header included, its length already checked against the message) is known good.</summary>
    public static bool IsKnownGood(ushort type, ReadOnlySpan<byte> extension)
    {
        if (type < FixedLengths.Length && FixedLengths[type] != 0)
        {
            return extension.Length == FixedLengths[type];
        }

        switch ((SadbExtensionType)type)
        {
            case SadbExtensionType.AddressSrc or SadbExtensionType.AddressDst or SadbExtensionType.AddressProxy
                or SadbExtensionType.XSrcMask or SadbExtensionType.XDstMask or SadbExtensionType.XSrcFlow
                or SadbExtensionType.XDstFlow or SadbExtensionType.XDst2:
                // An AF_INET or AF_INET6 sockaddr of its family's length, the extension exactly its padded length.
                return extension.Length switch
                {
                    AddressExtension.HeaderSize + 16 => extension[AddressExtension.HeaderSize] == SockAddr.InetSize
                        && extension[AddressExtension.HeaderSize + 1] == SockAddr.AfInet,
                    AddressExtension.HeaderSize + 32 => extension[AddressExtension.HeaderSize] == SockAddr.Inet6Size
                        && extension[AddressExtension.HeaderSize + 1] == SockAddr.AfInet6,
                    _ => false,
                };
            case SadbExtensionType.KeyAuth or SadbExtensionType.KeyEncrypt:
                if (extension.Length < KeyExtension.HeaderSize)
                {
                    return false;
                }

                var bits = BinaryPrimitives.ReadUInt16LittleEndian(extension[4..]);
                return bits != 0 && extension.Length == KeyExtension.HeaderSize + (((bits + 63) / 64) * 8);
            default:
                return false;
        }
    }
}
