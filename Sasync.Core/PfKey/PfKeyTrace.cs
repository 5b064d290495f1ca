using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Sasync.Core.PfKey;

/// <summary>
/// One line about a PF_KEY message for the <c>-vv</c> log: type, SA type, SPI and addresses, e.g.
/// <c>ADD ESP spi 0x00004242 192.0.2.1 -&gt; 198.51.100.7</c>, or for a flow
/// <c>X_ADDFLOW ESP flow 10.0.0.0/24 -&gt; 10.1.0.0/24 peer 198.51.100.1</c>. It walks the raw bytes
/// without parsing them into records, so it costs one string and only when the level is enabled; a
/// malformed message is described as far as it can be read, never thrown on.
/// </summary>
internal static partial class PfKeyTrace
{
    /// <summary>The level PF_KEY messages are logged at (<c>-vv</c>).</summary>
    public const LogLevel Level = LogLevel.Debug;

    // Header (16) + "spi 0x" (14) + four IPv6 addresses with prefix lengths, with room to spare.
    private const int MaxChars = 320;

    /// <summary>Logs <paramref name="message"/> as "PF_KEY {what} {peer}: description", when <see cref="Level"/> is enabled.</summary>
    /// <param name="logger">Where the line goes.</param>
    /// <param name="what">What happened to it, e.g. "relayed to", "received from", "written to the kernel for".</param>
    /// <param name="peer">The peer or client the message went to or came from.</param>
    /// <param name="message">The whole PF_KEY message; only read, never kept.</param>
    public static void Log(ILogger logger, string what, string peer, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (logger.IsEnabled(Level))
        {
            LogMessage(logger, what, peer, Describe(message));
        }
    }

    /// <summary>The one-line description of <paramref name="message"/>.</summary>
    public static string Describe(ReadOnlySpan<byte> message)
    {
        Span<char> text = stackalloc char[MaxChars];
        var line = new LineWriter(text);
        if (message.Length < SadbHeader.Size)
        {
            line.Append("short message (");
            line.Append(message.Length);
            line.Append(" bytes)");
            return line.ToString();
        }

        var header = SadbHeader.Read(message);
        line.AppendName(PfKeyNames.MessageTypeName(header.Type), (int)header.Type);
        line.Append(' ');
        line.AppendName(PfKeyNames.SaTypeName(header.SaType), (int)header.SaType);
        if (header.Errno != 0)
        {
            line.Append(" errno ");
            line.Append(header.Errno);
        }

        // Extensions up to the smaller of the stated and the actual length; a bad length stops the walk.
        var body = message[..Math.Min(message.Length, Math.Max(header.ByteLength, SadbHeader.Size))][SadbHeader.Size..];
        ReadOnlySpan<byte> sa = default, src = default, dst = default, srcFlow = default, srcMask = default, dstFlow = default, dstMask = default;
        while (body.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(body) * 8;
            if (length < 8 || length > body.Length)
            {
                break;
            }

            var extension = body[..length];
            switch ((SadbExtensionType)BinaryPrimitives.ReadUInt16LittleEndian(body[2..]))
            {
                case SadbExtensionType.Sa: sa = extension; break;
                case SadbExtensionType.AddressSrc: src = extension; break;
                case SadbExtensionType.AddressDst: dst = extension; break;
                case SadbExtensionType.XSrcFlow: srcFlow = extension; break;
                case SadbExtensionType.XSrcMask: srcMask = extension; break;
                case SadbExtensionType.XDstFlow: dstFlow = extension; break;
                case SadbExtensionType.XDstMask: dstMask = extension; break;
            }

            body = body[length..];
        }

        if (sa.Length >= SaExtension.Size)
        {
            line.Append(" spi 0x");
            line.AppendHex(BinaryPrimitives.ReadUInt32BigEndian(sa[4..]));
        }

        if (!srcFlow.IsEmpty || !dstFlow.IsEmpty)
        {
            line.Append(" flow ");
            line.AppendNetwork(srcFlow, srcMask);
            line.Append(" -> ");
            line.AppendNetwork(dstFlow, dstMask);
            if (!dst.IsEmpty)
            {
                line.Append(" peer ");
                line.AppendAddress(dst);
            }
        }
        else if (!src.IsEmpty || !dst.IsEmpty)
        {
            line.Append(' ');
            line.AppendAddress(src);
            line.Append(" -> ");
            line.AppendAddress(dst);
        }

        return line.ToString();
    }

    [LoggerMessage(Level = Level, Message = "PF_KEY {What} {Peer}: {Message}")]
    private static partial void LogMessage(ILogger logger, string what, string peer, string message);

    /// <summary>Appends to a fixed buffer; what does not fit is cut off (a trace line, not data).</summary>
    private ref struct LineWriter(Span<char> buffer)
    {
        private readonly Span<char> _buffer = buffer;
        private int _length;

        public void Append(char c)
        {
            if (_length < _buffer.Length)
            {
                _buffer[_length++] = c;
            }
        }

        public void Append(ReadOnlySpan<char> text)
        {
            var room = Math.Min(text.Length, _buffer.Length - _length);
            text[..room].CopyTo(_buffer[_length..]);
            _length += room;
        }

        public void Append(int value)
        {
            if (value.TryFormat(_buffer[_length..], out var written, default, CultureInfo.InvariantCulture))
            {
                _length += written;
            }
        }

        public void AppendHex(uint value)
        {
            if (value.TryFormat(_buffer[_length..], out var written, "x8", CultureInfo.InvariantCulture))
            {
                _length += written;
            }
        }

        public void AppendName(string? name, int value)
        {
            if (name is not null)
            {
                Append(name);
                return;
            }

            Append("type ");
            Append(value);
        }

        /// <summary>The sockaddr of an address extension, or "?" when it is missing or not AF_INET/AF_INET6.</summary>
        public void AppendAddress(ReadOnlySpan<byte> extension)
        {
            if (extension.Length <= SockAddr.OffsetInAddressExtension)
            {
                Append('?');
                return;
            }

            var sockaddr = extension[SockAddr.OffsetInAddressExtension..];
            if (sockaddr.Length >= SockAddr.InetSize && sockaddr[1] == SockAddr.AfInet)
            {
                // Dotted quad written in place: the common case allocates nothing.
                for (var i = 0; i < 4; i++)
                {
                    if (i > 0)
                    {
                        Append('.');
                    }

                    Append(sockaddr[4 + i]);
                }

                return;
            }

            if (SockAddr.TryRead(sockaddr, out IPAddress address, out _) && address.TryFormat(_buffer[_length..], out var written))
            {
                _length += written;
                return;
            }

            Append('?');
        }

        /// <summary>A flow's network and mask as ADDRESS/PREFIX (the mask's leading one bits).</summary>
        public void AppendNetwork(ReadOnlySpan<byte> flow, ReadOnlySpan<byte> mask)
        {
            AppendAddress(flow);
            if (mask.Length <= SockAddr.OffsetInAddressExtension)
            {
                return;
            }

            var sockaddr = mask[SockAddr.OffsetInAddressExtension..];
            var bits = sockaddr.Length >= SockAddr.InetSize && sockaddr[1] == SockAddr.AfInet ? sockaddr.Slice(4, 4)
                : sockaddr.Length >= SockAddr.Inet6Size && sockaddr[1] == SockAddr.AfInet6 ? sockaddr.Slice(8, 16)
                : default;
            if (bits.IsEmpty)
            {
                return;
            }

            var prefix = 0;
            foreach (var b in bits)
            {
                prefix += System.Numerics.BitOperations.LeadingZeroCount((uint)(byte)~b) - 24;
                if (b != 0xFF)
                {
                    break;
                }
            }

            Append('/');
            Append(prefix);
        }

        public override readonly string ToString() => new(_buffer[.._length]);
    }
}
