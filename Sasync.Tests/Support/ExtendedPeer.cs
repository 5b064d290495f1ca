using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Sasync.Core;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Tests.Support;

/// <summary>
/// A sasyncd-cs peer played by the test over a raw TCP socket: it dials a node, runs the channel handshake
/// (HELLO v2, FINISHED both ways) by hand, then speaks extended frames, so that a test can capture the bytes
/// it sent and write them again, altered or not.
/// </summary>
public sealed class ExtendedPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SharedKey _key;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private byte[] _pending = [];
    private IFrameEncoder _encoder;
    private IFrameDecoder _decoder;

    private ExtendedPeer(Socket socket, SharedKey key)
    {
        _socket = socket;
        _key = key;
        var legacy = new SasyncFrameCodec(key);
        _encoder = legacy.CreateEncoder();
        _decoder = legacy.CreateDecoder();
    }

    /// <summary>Connects from <paramref name="local"/> to a node; nothing is sent yet.</summary>
    public static async Task<ExtendedPeer> ConnectAsync(IPAddress local, IPEndPoint node, SharedKey key)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(node);
            return new ExtendedPeer(socket, key);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// HELLO (offering the extended channel), the node's HELLO, both FINISHEDs, then the STATE exchange on the
    /// extended channel; returns the node's run state.
    /// </summary>
    public async Task<RunState> HandshakeAsync(RunState ours, UInt128 instance)
    {
        var nonce = new byte[HelloNonce.Size];
        Random.Shared.NextBytes(nonce);
        var hello = new HelloMessage(HelloMessage.CurrentVersion, (uint)HelloCapabilities.ExtendedChannel, instance, HelloNonce.Read(nonce)).ToBytes();
        await SendAsync(WireMessageType.Control, hello);
        var theirs = await ReadAsync();
        Assert.True(theirs is { Type: WireMessageType.Control } && HelloMessage.TryRead(theirs.Value.Plaintext.Span, out var node) && node.HasNonce, "the node opens with a version-2 HELLO");

        // We dialled: our HELLO comes first in the transcript.
        var secrets = ExtendedKeySchedule.Derive(_key.Bytes, hello, theirs.Value.Plaintext.Span);
        await SendAsync(WireMessageType.Control, FinishedMessage.ToBytes(secrets.Finished(fromDialler: true)));
        _encoder = new ExtendedFrameEncoder(secrets, weAreDialler: true, ExtendedChannelOptions.Default);
        var finished = await ReadAsync();
        Assert.True(finished is { Type: WireMessageType.Control } && FinishedMessage.TryRead(finished.Value.Plaintext.Span, out var mac)
            && secrets.VerifyFinished(fromDialler: false, mac), "the node's FINISHED verifies");
        _decoder = new ExtendedFrameDecoder(secrets, weAreDialler: true, ExtendedChannelOptions.Default);

        await SendAsync(WireMessageType.Control, ControlMessage.StateOf(ours).ToBytes());
        RunState? state = null;
        var acked = false;
        while (state is null || !acked)
        {
            var frame = await ReadAsync();
            Assert.NotNull(frame);
            Assert.True(ControlMessage.TryRead(frame.Value.Plaintext.Span, out var control), "a control message");
            if (control.Type == ControlType.State && control.TryGetRunState(out var theirState))
            {
                state = theirState;
            }
            else if (control.Type == ControlType.Ack)
            {
                acked = true;
            }
        }

        return state.Value;
    }

    /// <summary>Frames one message with the current encoder, sends it, and returns the bytes sent.</summary>
    public async Task<byte[]> SendAsync(WireMessageType type, ReadOnlyMemory<byte> plaintext)
    {
        var bytes = Encode(type, plaintext.Span);
        await SendRawAsync(bytes);
        return bytes;
    }

    /// <summary>Frames one message with the current encoder (its sequence number is used up) without sending it.</summary>
    public byte[] Encode(WireMessageType type, ReadOnlySpan<byte> plaintext)
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.True(_encoder.TryEncode(type, plaintext, writer, out var error), error);
        return writer.WrittenSpan.ToArray();
    }

    public async Task SendRawAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>The next frame, or null when the node closed the connection.</summary>
    public async Task<ReceivedFrame?> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(_pending);
            var status = _decoder.TryDecode(ref buffer, out var type, out var plaintext, out var error);
            if (status == FrameDecodeStatus.Frame)
            {
                _pending = buffer.ToArray();
                return new ReceivedFrame(type, plaintext);
            }

            Assert.True(status == FrameDecodeStatus.NeedMoreData, $"undecodable frame from the node: {error.Describe()}");
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

            _pending = [.. _pending, .. _buffer.AsSpan(0, read)];
        }
    }

    /// <summary>Reads until the node closes the connection (a timeout fails the test).</summary>
    public async Task ClosedByNodeAsync()
    {
        while (await ReadAsync() is not null)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
