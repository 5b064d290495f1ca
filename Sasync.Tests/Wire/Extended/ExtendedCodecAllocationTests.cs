using System.Buffers;
using Sasync.Core.Net;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire.Extended;

public class ExtendedCodecAllocationTests
{
    /// <summary>The paths the daemon takes: PeerLink seals into its batch writer and opens into its slab through <see cref="IFrameDecoder"/>.</summary>
    [VectorizedAesGcmFact]
    public void Sealing_into_a_buffer_writer_and_opening_into_a_caller_buffer_allocate_nothing_per_frame()
    {
        var session = new ExtendedTestSession(21);
        IFrameEncoder encoder = session.DiallerEncoder;
        IFrameDecoder decoder = session.AcceptorDecoder;
        var plaintext = ExtendedTestSession.Bytes(new Random(22), 208);
        var batch = new ArrayBufferWriter<byte>(64 * 1024);
        var slab = new byte[4096];
        var frames = 0;

        void RoundTrip(int count)
        {
            batch.ResetWrittenCount();
            for (var i = 0; i < count; i++)
            {
                Assert.True(encoder.TryEncode(WireMessageType.PfKey, plaintext.AsSpan(0, 1 + (i % 208)), batch, out _));
            }

            var buffer = new ReadOnlySequence<byte>(batch.WrittenMemory);
            while (decoder.TryDecode(ref buffer, slab, out _, out var opened, out _) == FrameDecodeStatus.Frame)
            {
                frames += opened.Span.SequenceEqual(plaintext.AsSpan(0, opened.Length)) ? 1 : 0;
            }
        }

        RoundTrip(10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 20; round++)
        {
            RoundTrip(200);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10 + (20 * 200), frames);
    }
}
