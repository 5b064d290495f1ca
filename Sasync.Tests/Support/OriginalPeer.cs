using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Wire;

namespace Sasync.Tests.Support;

/// <summary>
/// A peer that speaks the original sasyncd protocol over a raw TCP socket, frame by frame, with
/// <see cref="FrameEncoder"/> and <see cref="FrameReader"/>: to check what a node sends and how it
/// answers, byte for byte as an OpenBSD sasyncd would see it.
/// </summary>
public sealed class OriginalPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly FrameEncoder _encoder;
    private readonly FrameReader _reader;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private ReadOnlySequence<byte> _pending = ReadOnlySequence<byte>.Empty;
    private byte[] _pendingBytes = [];

    private OriginalPeer(Socket socket, SharedKey key)
    {
        _socket = socket;
        _encoder = new FrameEncoder(key);
        _reader = new FrameReader(new FrameDecoder(key));
    }

    /// <summary>Connects from <paramref name="local"/> (a port picked by the system) to a node.</summary>
    public static async Task<OriginalPeer> ConnectAsync(IPAddress local, IPEndPoint node, SharedKey key, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (receiveBufferSize is { } size)
            {
                socket.ReceiveBufferSize = size;
            }

            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(node);
            return new OriginalPeer(socket, key);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Wraps a connection the test accepted on a listener playing the original's.</summary>
    public static OriginalPeer Accepted(Socket socket, SharedKey key) => new(socket, key);

    /// <summary>HELLOs the node sent, which the original reads as an unknown control type and ignores.</summary>
    public int HellosIgnored { get; private set; }

    public Task SendAsync(ControlMessage message) => SendRawAsync(_encoder.Encode(message));

    public Task SendPfKeyAsync(ReadOnlySpan<byte> message)
    {
        Assert.True(_encoder.TryEncode(WireMessageType.PfKey, message, out byte[]? frame, out var error), error.ToString());
        return SendRawAsync(frame);
    }

    public async Task SendRawAsync(byte[] frame) => await _socket.SendAsync(frame, SocketFlags.None);

    /// <summary>The next frame but a HELLO (ignored as the original ignores it), or null when the node closed the connection.</summary>
    public async Task<DecodedFrame?> ReadAsync()
    {
        while (true)
        {
            var frame = await ReadAnyAsync();
            if (frame is { Type: WireMessageType.Control } control && HelloMessage.IsHello(control.Plaintext))
            {
                HellosIgnored++;
                continue;
            }

            return frame;
        }
    }

    /// <summary>The next frame, or null when the node closed the connection.</summary>
    public async Task<DecodedFrame?> ReadAnyAsync()
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        while (true)
        {
            var buffer = _pending;
            var status = _reader.TryRead(ref buffer, out var frame, out var error);
            if (status == FrameReadStatus.Frame)
            {
                Keep(buffer);
                return frame;
            }

            Assert.True(status == FrameReadStatus.NeedMoreData, $"undecodable frame from the node: {error.Describe()}");
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            var joined = new byte[_pending.Length + read];
            _pending.CopyTo(joined);
            _buffer.AsSpan(0, read).CopyTo(joined.AsSpan((int)_pending.Length));
            Keep(new ReadOnlySequence<byte>(joined));
        }
    }

    /// <summary>The next control message; fails the test on anything else.</summary>
    public async Task<ControlMessage> ReadControlAsync()
    {
        var frame = await ReadAsync();
        Assert.NotNull(frame);
        Assert.True(frame.Value.TryGetControl(out var message), $"expected a control frame, got {frame.Value.Type}");
        return message;
    }

    /// <summary>Reads the start of a session: the node's STATE, then the ACK of ours.</summary>
    public async Task<RunState> HandshakeAsync(RunState ours)
    {
        await SendAsync(ControlMessage.StateOf(ours));
        var state = await ReadControlAsync();
        Assert.Equal(ControlType.State, state.Type);
        Assert.True(state.TryGetRunState(out var theirs));
        var ack = await ReadControlAsync();
        Assert.Equal(ControlType.Ack, ack.Type);
        Assert.True(ack.TryGetRunState(out var acked));
        Assert.Equal(theirs, acked);
        return theirs;
    }

    private void Keep(ReadOnlySequence<byte> rest)
    {
        _pendingBytes = rest.ToArray();
        _pending = new ReadOnlySequence<byte>(_pendingBytes);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
