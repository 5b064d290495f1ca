using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Sasync.Core.Net;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Cli.Commands;

/// <summary>The extended channel's figures beside the legacy codec's in <c>bench codec</c>.</summary>
internal sealed record ExtendedCodecBenchResult(
    string Aead,
    int FrameLength,
    double EncodePerSecond,
    double DecodePerSecond,
    double EncodePerCpuSecond,
    double DecodePerCpuSecond,
    double EncodeAllocatedBytesPerFrame,
    double DecodeAllocatedBytesPerFrame,
    double DecodeArrayAllocatedBytesPerFrame);

/// <summary>
/// Frames per second of the extended channel (AES-256-GCM) each way on the calling thread, with the span APIs as the
/// legacy figures: seal into a buffer; open from a stream buffer into a buffer. One session throughout, so the rekeys
/// of <see cref="ExtendedChannelOptions.Default"/> happen as they would. A decoder takes each sequence number once,
/// so decoding is timed over batches sealed beforehand, untimed.
/// </summary>
internal static class ExtendedCodecBenchmark
{
    private const int Batch = 256;
    private const int ArrayApiFrames = 4096;

    /// <summary>Null when the payload cannot be sent at all.</summary>
    public static ExtendedCodecBenchResult? Run(int payloadSize, TimeSpan duration, ExtendedAeadProvider aead, CancellationToken cancellationToken)
    {
        var options = ExtendedChannelOptions.Default with { Aead = aead };
        if (!ExtendedFrameEncoder.TryGetFrameLength(WireMessageType.PfKey, payloadSize, options, out var frameLength, out _))
        {
            return null;
        }

        using var secrets = ExtendedKeySchedule.Derive(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(60), RandomNumberGenerator.GetBytes(60));
        using var encoder = new ExtendedFrameEncoder(secrets, weAreDialler: true, options);
        using var feeder = new ExtendedFrameEncoder(secrets, weAreDialler: false, options);
        using var decoder = new ExtendedFrameDecoder(secrets, weAreDialler: true, options);

        var payload = new byte[payloadSize];
        new Random(payloadSize).NextBytes(payload);
        var frame = new byte[frameLength];
        var batch = new byte[frameLength * Batch];
        var plaintext = new byte[payloadSize];

        bool Encode() => encoder.TryEncode(WireMessageType.PfKey, payload, frame, out _, out _);
        void Fill()
        {
            for (var i = 0; i < Batch; i++)
            {
                feeder.TryEncode(WireMessageType.PfKey, payload, batch.AsSpan(i * frameLength, frameLength), out _, out _);
            }
        }

        bool DecodeBatch()
        {
            var stream = new ReadOnlySequence<byte>(batch);
            var ok = true;
            for (var i = 0; i < Batch; i++)
            {
                ok &= decoder.TryDecode(stream, plaintext, out _, out var consumed, out _) == FrameDecodeStatus.Frame;
                stream = stream.Slice(consumed);
            }

            return ok;
        }

        Fill();
        if (!Encode() || !DecodeBatch() || !plaintext.AsSpan().SequenceEqual(payload))
        {
            throw new InvalidOperationException("the extended codec does not round-trip");
        }

        var warmUp = CodecBenchmark.WarmUpFor(duration);
        CodecBenchmark.Measure(Encode, warmUp, cancellationToken);
        var encode = CodecBenchmark.Measure(Encode, duration, cancellationToken);
        MeasureDecode(Fill, DecodeBatch, warmUp, cancellationToken);
        var decode = MeasureDecode(Fill, DecodeBatch, duration, cancellationToken);
        var decodeArray = DecodeArrayAllocatedPerFrame(feeder, decoder, payload);

        var used = AesGcmCiphers.Resolve(aead) switch
        {
            ExtendedAeadProvider.BouncyCastle => "bouncyCastle",
            ExtendedAeadProvider.Vectorized => "vectorized",
            _ => "bcl",
        };
        return new ExtendedCodecBenchResult(used, frameLength, encode.PerSecond, decode.PerSecond, encode.PerCpuSecond, decode.PerCpuSecond,
            encode.AllocatedPerFrame, decode.AllocatedPerFrame, decodeArray);
    }

    /// <summary>Times only the decoding of each batch; sealing the next batch is left out of the clocks and the allocation count.</summary>
    private static (double PerSecond, double PerCpuSecond, double AllocatedPerFrame) MeasureDecode(Action fill, Func<bool> decodeBatch, TimeSpan duration, CancellationToken cancellationToken)
    {
        long frames = 0;
        long allocated = 0;
        var elapsed = TimeSpan.Zero;
        var cpu = TimeSpan.Zero;
        do
        {
            fill();
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var start = Stopwatch.GetTimestamp();
            decodeBatch();
            elapsed += Stopwatch.GetElapsedTime(start);
            cpu += Environment.CpuUsage.TotalTime - cpuBefore;
            allocated += GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            frames += Batch;
        }
        while (elapsed < duration && !cancellationToken.IsCancellationRequested);

        return (frames / elapsed.TotalSeconds, frames / Math.Max(cpu.TotalSeconds, 1e-6), (double)allocated / frames);
    }

    /// <summary>What the session's decoder allocates per frame through <see cref="IFrameDecoder"/>: the plaintext array.</summary>
    private static double DecodeArrayAllocatedPerFrame(ExtendedFrameEncoder feeder, ExtendedFrameDecoder decoder, byte[] payload)
    {
        var frames = new byte[ArrayApiFrames][];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = new byte[ExtendedFrameLayout.FrameLengthFor(payload.Length)];
            feeder.TryEncode(WireMessageType.PfKey, payload, frames[i], out _, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var frame in frames)
        {
            var stream = new ReadOnlySequence<byte>(frame);
            decoder.TryDecode(ref stream, out _, out _, out _);
        }

        return (double)(GC.GetAllocatedBytesForCurrentThread() - before) / ArrayApiFrames;
    }
}
