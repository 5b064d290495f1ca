using System.Buffers.Binary;
using System.Net;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;

namespace Sasync.Core.Loopback;

/// <summary>
/// The ADD and X_ADDFLOW of simulated tunnel after tunnel, byte for byte as <see cref="IkeDaemonMessages"/> builds
/// them, made by writing the few fields that differ (SPI and keys; the flow's networks) into one message built once:
/// the IKE daemon of a benchmark, a process of its own on a real gateway, then costs next to nothing beside the daemons
/// it measures. One writer at a time; each message is valid until the next one is made.
/// </summary>
internal sealed class TunnelMessages
{
    private readonly byte[] _sa;
    private readonly byte[] _flow;
    private readonly int _spi;
    private readonly int _authKey;
    private readonly int _encryptKey;
    private readonly int _sourceNet;
    private readonly int _destinationNet;

    /// <summary>The messages of tunnels from <paramref name="local"/> to <paramref name="remote"/> (IPv4 both).</summary>
    public TunnelMessages(IPAddress local, IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        _sa = IkeDaemonMessages.AddEspSa(0, 0, ClusterWorkload.Spi(0), local, remote);
        _flow = IkeDaemonMessages.AddFlow(0, 0, IkeDaemonMessages.Network(0), ClusterWorkload.RemoteNetwork(0), remote);
        _spi = Extension(_sa, SadbExtensionType.Sa) + 4;
        _authKey = Extension(_sa, SadbExtensionType.KeyAuth) + 8;
        _encryptKey = Extension(_sa, SadbExtensionType.KeyEncrypt) + 8;
        // sadb_address, then the sockaddr_in: its address behind length, family and port.
        _sourceNet = Extension(_flow, SadbExtensionType.XSrcFlow) + 8 + 4;
        _destinationNet = Extension(_flow, SadbExtensionType.XDstFlow) + 8 + 4;
    }

    /// <summary>The ADD of tunnel <paramref name="index"/>'s SA (pid and sequence 0, for the writer to fill in).</summary>
    public Memory<byte> Sa(int index)
    {
        var spi = ClusterWorkload.Spi(index);
        BinaryPrimitives.WriteUInt32BigEndian(_sa.AsSpan(_spi), spi);
        BinaryPrimitives.WriteUInt32BigEndian(_sa.AsSpan(_authKey), ~spi);
        BinaryPrimitives.WriteUInt32BigEndian(_sa.AsSpan(_encryptKey), spi);
        return _sa;
    }

    /// <summary>The X_ADDFLOW of tunnel <paramref name="index"/> (pid and sequence 0, for the writer to fill in).</summary>
    public Memory<byte> Flow(int index)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_flow.AsSpan(_sourceNet), IkeDaemonMessages.NetworkAddress(index));
        BinaryPrimitives.WriteUInt32BigEndian(_flow.AsSpan(_destinationNet), ClusterWorkload.RemoteNetworkAddress(index));
        return _flow;
    }

    // Where the first extension of that type starts in a message.
    private static int Extension(byte[] message, SadbExtensionType type)
    {
        for (var offset = SadbHeader.Size; offset + 4 <= message.Length;)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(offset)) * 8;
            if ((SadbExtensionType)BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(offset + 2)) == type)
            {
                return offset;
            }

            if (length == 0)
            {
                break;
            }

            offset += length;
        }

        throw new InvalidOperationException($"no {type} extension in the message");
    }
}
