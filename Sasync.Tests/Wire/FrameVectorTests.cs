using System.Buffers;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

/// <summary>Byte-exact agreement with frames written by OpenBSD sasyncd's own C code.</summary>
public class FrameVectorTests
{
    public static TheoryData<string> Names => FrameVectors.Names();

    [Fact]
    public void The_vector_file_from_the_repository_holds_every_recorded_frame()
    {
        Assert.True(File.Exists(FrameVectors.FilePath), $"missing {FrameVectors.FilePath}");
        Assert.Equal(FrameVectors.Count, FrameVectors.All.Count);
        Assert.Equal(FrameVectors.Count, Names.Count);
        Assert.Equal(FrameVectors.Count, FrameVectors.All.Select(v => v.Name).Distinct().Count());
    }

    [Fact]
    public void The_vector_file_covers_every_key_size_and_both_rejected_sizes()
    {
        Assert.Equal([16, 24, 32], FrameVectors.All.Select(v => v.Key.Length).Distinct().Order());
        Assert.Equal(["raw-0-k16", "raw-4097-k16"], FrameVectors.All.Where(v => !v.AcceptedByOriginal).Select(v => v.Name));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Encoding_with_the_vectors_iv_gives_the_originals_bytes_or_is_refused_like_the_original(string name)
    {
        var vector = FrameVectors.Named(name);
        var encoder = new FrameEncoder(vector.SharedKey, new FixedIvSource(vector.Iv));

        var encoded = encoder.TryEncode(vector.Type, vector.Plaintext, out byte[]? frame, out var error);

        if (vector.AcceptedByOriginal)
        {
            Assert.True(encoded, error.Describe());
            Assert.Equal(Convert.ToHexString(vector.Frame), Convert.ToHexString(frame!));
        }
        else
        {
            Assert.False(encoded);
            Assert.Null(frame);
            Assert.Equal(vector.Plaintext.Length == 0 ? FrameError.PlaintextTooShort : FrameError.PlaintextTooLong, error);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Decoding_the_originals_frame_gives_its_type_and_plaintext_or_is_rejected_like_the_original(string name)
    {
        var vector = FrameVectors.Named(name);
        var decoder = new FrameDecoder(vector.SharedKey);

        var decoded = decoder.TryDecode(vector.Frame, out var frame, out var error);

        if (vector.AcceptedByOriginal)
        {
            Assert.True(decoded, error.Describe());
            Assert.Equal(vector.Type, frame.Type);
            Assert.Equal(vector.Plaintext, frame.Plaintext);
            Assert.Equal(FrameLayout.PadLengthFor(vector.Plaintext.Length), frame.PadLength);
        }
        else
        {
            Assert.False(decoded);
            Assert.Equal(FrameError.BadLength, error);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_span_apis_agree_with_the_array_apis(string name)
    {
        var vector = FrameVectors.Named(name);
        if (!vector.AcceptedByOriginal)
        {
            Assert.False(new FrameEncoder(vector.SharedKey).TryEncode(vector.Type, vector.Plaintext, new byte[8192], out var written, out _));
            Assert.Equal(0, written);
            return;
        }

        var frame = new byte[vector.Frame.Length + 10];
        Assert.True(new FrameEncoder(vector.SharedKey, new FixedIvSource(vector.Iv)).TryEncode(vector.Type, vector.Plaintext, frame, out var length, out _));
        Assert.Equal(vector.Frame, frame[..length]);

        var plaintext = new byte[4096];
        Assert.True(new FrameDecoder(vector.SharedKey).TryDecode(vector.Frame, plaintext, out var header, out var error), error.Describe());
        Assert.Equal(vector.Type, header.Type);
        Assert.Equal(vector.Plaintext, plaintext[..header.PlaintextLength]);

        var writer = new ArrayBufferWriter<byte>();
        Assert.True(new FrameEncoder(vector.SharedKey, new FixedIvSource(vector.Iv)).TryEncode(vector.Type, vector.Plaintext, writer, out _));
        Assert.Equal(vector.Frame, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void A_stream_of_every_accepted_vector_under_one_key_cut_into_random_pieces_reads_back_in_order()
    {
        var random = new Random(5);
        var groups = FrameVectors.All.Where(v => v.AcceptedByOriginal).GroupBy(v => Convert.ToHexString(v.Key)).ToList();
        Assert.Equal(4, groups.Count);
        foreach (var group in groups)
        {
            var vectors = group.ToList();
            var stream = vectors.SelectMany(v => v.Frame).ToArray();
            var cuts = Enumerable.Range(0, 40).Select(_ => random.Next(stream.Length)).ToArray();
            var buffer = SegmentedSequence.SplitAt(stream, cuts);
            var reader = new FrameReader(new FrameDecoder(vectors[0].SharedKey));

            foreach (var vector in vectors)
            {
                Assert.Equal(FrameReadStatus.Frame, reader.TryRead(ref buffer, out var frame, out var error));
                Assert.Equal(FrameError.None, error);
                Assert.Equal(vector.Type, frame.Type);
                Assert.Equal(vector.Plaintext, frame.Plaintext);
            }

            Assert.Equal(0, buffer.Length);
            Assert.Equal(FrameReadStatus.NeedMoreData, reader.TryRead(ref buffer, out _, out _));
        }
    }

    [Fact]
    public void Control_vectors_carry_the_originals_state_ack_and_error_payloads()
    {
        var byName = FrameVectors.All.Where(v => v.Key.Length == 16 && v.Type == WireMessageType.Control)
            .ToDictionary(v => v.Name, v => new FrameDecoder(v.SharedKey).TryDecode(v.Frame, out var f, out _) && f.TryGetControl(out var c) ? c : default);

        Assert.Equal(ControlMessage.StateOf(Core.RunState.Master), byName["ctl-1-2-0-k16"]);
        Assert.Equal(ControlMessage.StateOf(Core.RunState.Slave), byName["ctl-1-1-0-k16"]);
        Assert.Equal(ControlMessage.AckOf(Core.RunState.Master), byName["ctl-3-1-2-k16"]);
        Assert.Equal(ControlMessage.StateError, byName["ctl-2-1-0-k16"]);
        Assert.Equal(ControlMessage.EndSnapshot, byName["ctl-4-0-0-k16"]);
    }

    [Fact]
    public void Encoding_a_control_message_gives_the_originals_frame()
    {
        var vector = FrameVectors.Named("ctl-3-1-2-k32");

        var frame = new FrameEncoder(vector.SharedKey, new FixedIvSource(vector.Iv)).Encode(ControlMessage.AckOf(Core.RunState.Master));

        Assert.Equal(vector.Frame, frame);
    }
}
