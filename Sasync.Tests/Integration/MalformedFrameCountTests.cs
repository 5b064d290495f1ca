using System.Buffers.Binary;
using Sasync.Core.Config;
using Sasync.Core.Wire;
using Sasync.Tests.Support;
using static Sasync.Tests.Integration.Scenario;

namespace Sasync.Tests.Integration;

/// <summary>
/// Frames that close a session over real TCP are counted in <c>framesRejected</c> and by reason (issue 10 item 5:
/// the counter stayed 0 after pad 17, a bad length and a hash mismatch closed sessions).
/// </summary>
public sealed class MalformedFrameCountTests
{
    private static readonly SharedKey OtherKey = new(Convert.FromHexString("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"));

    private static byte[] Frame(SharedKey key)
    {
        Assert.True(new FrameEncoder(key).TryEncode(WireMessageType.Control, new byte[16], out byte[]? frame, out _));
        return frame;
    }

    private static byte[] WithField(byte[] frame, int offset, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(offset), value);
        return frame;
    }

    [Fact]
    public async Task Pad_17_a_bad_length_and_a_hash_mismatch_each_close_their_session_and_are_counted_by_reason()
    {
        await using var cluster = await StartClusterAsync();
        var master = cluster[1];
        await StopSeenByAsync(cluster[2], master);
        var before = (await StatusAsync(master)).Engine.Counters;

        (FrameError Error, byte[] Frame)[] cases =
        [
            (FrameError.BadPadLength, WithField(Frame(Key), FrameLayout.PadLengthOffset, 17)),
            (FrameError.BadLength, WithField(Frame(Key), FrameLayout.LengthOffset, 3)),
            (FrameError.HashMismatch, Frame(OtherKey)),
        ];
        foreach (var (error, frame) in cases)
        {
            // From node 2's address, a configured peer: the node reads the frame, then closes the session.
            await using var peer = await OriginalPeer.ConnectAsync(cluster[2].Address, master.Node!.ListenEndPoints[0], Key);
            await peer.SendRawAsync(frame);
            await Eventually.TrueAsync(
                async () => (await StatusAsync(master)).Engine.Counters.FramesRejectedByReason.GetValueOrDefault(error)
                    > before.FramesRejectedByReason.GetValueOrDefault(error),
                $"{error} is counted");
            // The node's own HELLO and STATE may come first; then it closes (a timeout here fails the test).
            while (await peer.ReadAnyAsync() is not null)
            {
            }
        }

        Assert.True((await StatusAsync(master)).Engine.Counters.FramesRejected >= before.FramesRejected + cases.Length);
    }
}
