using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Sasync.Core.Config;
using Sasync.Core.Net;
using Sasync.Core.Wire;

namespace Sasync.Cli.Commands;

/// <summary>Frames per second and bytes allocated per frame of the wire codec, each way, on the calling thread.</summary>
internal sealed record CodecBenchResult(
    int PayloadSize,
    int FrameLength,
    int KeyBits,
    double EncodePerSecond,
    double DecodePerSecond,
    double EncodePerCpuSecond,
    double DecodePerCpuSecond,
    double EncodeAllocatedBytesPerFrame,
    double DecodeAllocatedBytesPerFrame,
    double EncodeArrayAllocatedBytesPerFrame,
    double DecodeArrayAllocatedBytesPerFrame,
    int BatchSize,
    double SingleEncodePerSecond,
    double SingleDecodePerSecond,
    double SingleEncodePerCpuSecond,
    double SingleDecodePerCpuSecond,
    double SingleEncodeAllocatedBytesPerFrame,
    double SingleDecodeAllocatedBytesPerFrame);

internal static class CodecBenchmark
{
    private const int Batch = 256;
    private const int ArrayApiFrames = 4096;

    /// <summary>Frames per batch: what the daemon's PeerLink hands the codec at most per call each way.</summary>
    public const int FramesPerBatch = 8;

    /// <summary>
    /// Times the daemon's path, the legacy channel's <see cref="IFrameEncoder"/> and <see cref="IFrameDecoder"/> of
    /// <see cref="SasyncFrameCodec"/> with <see cref="FramesPerBatch"/> frames per call as the PeerLink uses them (encode
    /// into its write buffer; decode a received buffer into a slab), then the single-frame span APIs (encode into a
    /// buffer; read from a stream buffer into a buffer), for <paramref name="duration"/> each after a warm-up that lets
    /// the JIT settle, then counts what the array-returning APIs allocate. Null when the payload cannot be sent at all.
    /// </summary>
    public static CodecBenchResult? Run(int payloadSize, int keyBytes, TimeSpan duration, CancellationToken cancellationToken)
    {
        var key = new SharedKey(RandomNumberGenerator.GetBytes(keyBytes));
        var codec = new SasyncFrameCodec(key, channel: ChannelPolicy.Legacy);
        var batchEncoder = codec.CreateEncoder();
        var batchDecoder = codec.CreateDecoder();
        var encoder = new FrameEncoder(key);
        var reader = new FrameReader(new FrameDecoder(key));
        if (!FrameEncoder.TryGetFrameLength(WireMessageType.PfKey, payloadSize, out var frameLength, out _))
        {
            return null;
        }

        var payload = new byte[payloadSize];
        new Random(payloadSize).NextBytes(payload);
        var frame = new byte[frameLength];
        var plaintext = new byte[payloadSize];

        bool Encode() => encoder.TryEncode(WireMessageType.PfKey, payload, frame, out _, out _);
        bool Decode()
        {
            var stream = new ReadOnlySequence<byte>(frame);
            return reader.TryRead(ref stream, plaintext, out _, out _) == FrameReadStatus.Frame;
        }

        var types = Enumerable.Repeat(WireMessageType.PfKey, FramesPerBatch).ToArray();
        var plaintexts = Enumerable.Repeat((ReadOnlyMemory<byte>)payload, FramesPerBatch).ToArray();
        var written = new ArrayBufferWriter<byte>(FramesPerBatch * frameLength);
        var slab = new byte[64 * 1024];
        var received = new List<ReceivedFrame>(FramesPerBatch);
        bool EncodeBatch()
        {
            written.ResetWrittenCount();
            return batchEncoder.TryEncode(types, plaintexts, written, out _);
        }

        if (!EncodeBatch())
        {
            throw new InvalidOperationException("the codec cannot encode a batch");
        }

        var stream = written.WrittenSpan.ToArray();
        bool DecodeBatch()
        {
            var buffer = new ReadOnlySequence<byte>(stream);
            received.Clear();
            var used = 0;
            while (buffer.Length > 0)
            {
                if (batchDecoder.TryDecode(ref buffer, slab.AsMemory(used), received, out var more, out _) != FrameDecodeStatus.Frame)
                {
                    return false;
                }

                used += more;
            }

            return received.Count == FramesPerBatch;
        }

        if (!Encode() || !Decode() || !plaintext.AsSpan().SequenceEqual(payload)
            || !DecodeBatch() || !received.TrueForAll(f => f.Plaintext.Span.SequenceEqual(payload)))
        {
            throw new InvalidOperationException("the codec does not round-trip");
        }

        var warmUp = WarmUpFor(duration);
        Measure(EncodeBatch, warmUp, cancellationToken, FramesPerBatch);
        var encode = Measure(EncodeBatch, duration, cancellationToken, FramesPerBatch);
        Measure(DecodeBatch, warmUp, cancellationToken, FramesPerBatch);
        var decode = Measure(DecodeBatch, duration, cancellationToken, FramesPerBatch);
        Measure(Encode, warmUp, cancellationToken);
        var singleEncode = Measure(Encode, duration, cancellationToken);
        Measure(Decode, warmUp, cancellationToken);
        var singleDecode = Measure(Decode, duration, cancellationToken);

        var encodeArray = AllocatedPerFrame(() => encoder.TryEncode(WireMessageType.PfKey, payload, out byte[]? _, out _));
        var decodeArray = AllocatedPerFrame(() =>
        {
            var stream = new ReadOnlySequence<byte>(frame);
            return reader.TryRead(ref stream, out DecodedFrame _, out _) == FrameReadStatus.Frame;
        });

        return new CodecBenchResult(payloadSize, frameLength, keyBytes * 8, encode.PerSecond, decode.PerSecond,
            encode.PerCpuSecond, decode.PerCpuSecond, encode.AllocatedPerFrame, decode.AllocatedPerFrame, encodeArray, decodeArray,
            FramesPerBatch, singleEncode.PerSecond, singleDecode.PerSecond, singleEncode.PerCpuSecond, singleDecode.PerCpuSecond,
            singleEncode.AllocatedPerFrame, singleDecode.AllocatedPerFrame);
    }

    /// <summary>How long to run a step before timing it, so that the JIT has settled.</summary>
    internal static TimeSpan WarmUpFor(TimeSpan duration) => TimeSpan.FromTicks(Math.Min(duration.Ticks / 4, TimeSpan.FromMilliseconds(300).Ticks));

    /// <summary>Wall-clock and CPU-time rates: on a busy machine the second shows what one free core would do.</summary>
    /// <param name="step">One step; it handles <paramref name="framesPerStep"/> frames.</param>
    internal static (double PerSecond, double PerCpuSecond, double AllocatedPerFrame) Measure(Func<bool> step, TimeSpan duration, CancellationToken cancellationToken, int framesPerStep = 1)
    {
        long frames = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var start = Stopwatch.GetTimestamp();
        do
        {
            for (var i = 0; i < Batch; i++)
            {
                step();
            }

            frames += Batch * framesPerStep;
        }
        while (Stopwatch.GetElapsedTime(start) < duration && !cancellationToken.IsCancellationRequested);

        var elapsed = Stopwatch.GetElapsedTime(start);
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return (frames / elapsed.TotalSeconds, frames / Math.Max(cpu.TotalSeconds, 1e-6), (double)allocated / frames);
    }

    private static double AllocatedPerFrame(Func<bool> step)
    {
        step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < ArrayApiFrames; i++)
        {
            step();
        }

        return (double)(GC.GetAllocatedBytesForCurrentThread() - before) / ArrayApiFrames;
    }
}
