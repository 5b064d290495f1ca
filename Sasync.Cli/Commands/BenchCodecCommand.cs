using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Crypto;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>bench codec [--size N] [--seconds S] [--key-bits B] [--primitives] [--json]</c>: see <see cref="CodecBenchmark"/>,
/// <see cref="CodecCeiling"/> and <see cref="CryptoPrimitiveBenchmark"/>.
/// </summary>
internal static class BenchCodecCommand
{
    public static Command Create(CliConsole console)
    {
        var size = IntOption.InRange("--size", 208, 1, 4096, "The PF_KEY payload per frame in bytes");
        var seconds = IntOption.Seconds("--seconds", 2.0, 600, "How long to run each way");
        var keyBits = new Option<int>("--key-bits") { HelpName = "128|192|256", DefaultValueFactory = _ => 256, Description = "The AES key size" }
            .OneOf("128", "192", "256");
        var json = new Option<bool>("--json") { Arity = ArgumentArity.Zero, Description = "Print the figures as JSON" };
        var aead = new Option<string>("--aead") { HelpName = "auto|bcl|bouncycastle|vectorized", DefaultValueFactory = _ => "auto", Description = "The extended channel's AES-GCM: as the daemon picks it, the BCL's, BouncyCastle's, or sasyncd-cs's own AES-NI/PCLMULQDQ one" }
            .OneOf("auto", "bcl", "bouncycastle", "vectorized");
        var primitives = new Option<bool>("--primitives")
        {
            Arity = ArgumentArity.Zero,
            Description = "Also time the alternatives the codec's SHA-1 and AES-CBC were chosen from",
        };
        var command = new Command("codec", "Frame encode and decode rates and allocations, one thread, of the legacy and the extended channel") { size, seconds, keyBits, aead, primitives, json };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(size), parse.GetValue(seconds), parse.GetValue(keyBits), parse.GetValue(primitives), parse.GetValue(json),
            parse.GetValue(aead) switch { "bcl" => ExtendedAeadProvider.Bcl, "bouncycastle" => ExtendedAeadProvider.BouncyCastle, "vectorized" => ExtendedAeadProvider.Vectorized, _ => ExtendedAeadProvider.Automatic },
            console.Out, console.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        int size, double seconds, int keyBits, bool measurePrimitives, bool json, ExtendedAeadProvider aead, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(seconds);
        var result = CodecBenchmark.Run(size, keyBits / 8, duration, cancellationToken);
        if (result is null)
        {
            await stderr.WriteAsync($"bench codec: a {size}-byte payload cannot be sent (1 to 4096 bytes)\n").ConfigureAwait(false);
            return 1;
        }

        var ceiling = CodecCeiling.Run(size, keyBits / 8, duration, cancellationToken);
        var alternatives = measurePrimitives ? CryptoPrimitiveBenchmark.Run(size, keyBits / 8, duration / 4, cancellationToken) : null;

        // The extended channel (AES-256-GCM between sasyncd-cs nodes) on the same payload, beside the legacy figures.
        var extended = ExtendedCodecBenchmark.Run(size, duration, aead, cancellationToken);

        if (json)
        {
            await JsonOutput.WriteAsync(stdout, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("payloadSize", result.PayloadSize);
                w.WriteNumber("frameLength", result.FrameLength);
                w.WriteNumber("keyBits", result.KeyBits);
                w.WriteBoolean("hardwareAes", AesUtilities.IsHardwareAccelerated);
                w.WriteNumber("encodePerSecond", Math.Round(result.EncodePerSecond));
                w.WriteNumber("decodePerSecond", Math.Round(result.DecodePerSecond));
                w.WriteNumber("encodePerCpuSecond", Math.Round(result.EncodePerCpuSecond));
                w.WriteNumber("decodePerCpuSecond", Math.Round(result.DecodePerCpuSecond));
                w.WriteNumber("allocatedBytesPerFrame", Math.Max(result.EncodeAllocatedBytesPerFrame, result.DecodeAllocatedBytesPerFrame));
                w.WriteNumber("encodeAllocatedBytesPerFrame", result.EncodeAllocatedBytesPerFrame);
                w.WriteNumber("decodeAllocatedBytesPerFrame", result.DecodeAllocatedBytesPerFrame);
                w.WriteNumber("encodeArrayAllocatedBytesPerFrame", result.EncodeArrayAllocatedBytesPerFrame);
                w.WriteNumber("decodeArrayAllocatedBytesPerFrame", result.DecodeArrayAllocatedBytesPerFrame);
                w.WriteNumber("batchSize", result.BatchSize);
                w.WriteNumber("singleFrameEncodePerSecond", Math.Round(result.SingleEncodePerSecond));
                w.WriteNumber("singleFrameDecodePerSecond", Math.Round(result.SingleDecodePerSecond));
                w.WriteNumber("singleFrameEncodePerCpuSecond", Math.Round(result.SingleEncodePerCpuSecond));
                w.WriteNumber("singleFrameDecodePerCpuSecond", Math.Round(result.SingleDecodePerCpuSecond));
                w.WriteNumber("singleFrameEncodeAllocatedBytesPerFrame", result.SingleEncodeAllocatedBytesPerFrame);
                w.WriteNumber("singleFrameDecodeAllocatedBytesPerFrame", result.SingleDecodeAllocatedBytesPerFrame);
                WriteCeiling(w, result, ceiling, alternatives);
                WriteExtended(w, extended);
                w.WriteEndObject();
            }).ConfigureAwait(false);
            return 0;
        }

        await stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"""
            codec: {result.PayloadSize}-byte PF_KEY payload ({result.FrameLength}-byte frame), AES-{result.KeyBits}, hardware AES: {(AesUtilities.IsHardwareAccelerated ? "yes" : "no")}, one thread
            encode: {result.EncodePerSecond,12:N0} frames/s ({result.EncodePerCpuSecond:N0} per CPU second), {result.BatchSize} per call as the daemon sends, {result.EncodeAllocatedBytesPerFrame:0.#} bytes allocated per frame
            decode: {result.DecodePerSecond,12:N0} frames/s ({result.DecodePerCpuSecond:N0} per CPU second), {result.BatchSize} per call as the daemon receives, {result.DecodeAllocatedBytesPerFrame:0.#} bytes allocated per frame
            one frame per call:
            encode: {result.SingleEncodePerSecond,12:N0} frames/s ({result.SingleEncodePerCpuSecond:N0} per CPU second), {result.SingleEncodeAllocatedBytesPerFrame:0.#} bytes allocated per frame into a buffer, {result.EncodeArrayAllocatedBytesPerFrame:0.#} as a new array
            decode: {result.SingleDecodePerSecond,12:N0} frames/s ({result.SingleDecodePerCpuSecond:N0} per CPU second), {result.SingleDecodeAllocatedBytesPerFrame:0.#} bytes allocated per frame into a buffer, {result.DecodeArrayAllocatedBytesPerFrame:0.#} as a new array
            {DescribeCeiling(result, ceiling, alternatives)}
            """)).ConfigureAwait(false);
        if (extended is not null)
        {
            await stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $"""
                extended channel: {extended.FrameLength}-byte frame, AES-256-GCM ({extended.Aead}), one thread
                encode: {extended.EncodePerSecond,12:N0} frames/s ({extended.EncodePerCpuSecond:N0} per CPU second), {extended.EncodeAllocatedBytesPerFrame:0.#} bytes allocated per frame into a buffer
                decode: {extended.DecodePerSecond,12:N0} frames/s ({extended.DecodePerCpuSecond:N0} per CPU second), {extended.DecodeAllocatedBytesPerFrame:0.#} bytes allocated per frame into a buffer, {extended.DecodeArrayAllocatedBytesPerFrame:0.#} as a new array

                """)).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>The ceiling's JSON fields (and the alternatives' with <c>--primitives</c>), beside the codec's own.</summary>
    private static void WriteCeiling(Utf8JsonWriter w, CodecBenchResult result, CodecCeilingResult ceiling, IReadOnlyList<CryptoPrimitiveRate>? alternatives)
    {
        w.WriteNumber("ceilingEncodePerCpuSecond", Math.Round(ceiling.EncodePerCpuSecond));
        w.WriteNumber("ceilingDecodePerCpuSecond", Math.Round(ceiling.DecodePerCpuSecond));
        w.WriteNumber("encodeShareOfCeiling", Math.Round(result.EncodePerCpuSecond / ceiling.EncodePerCpuSecond, 3));
        w.WriteNumber("decodeShareOfCeiling", Math.Round(result.DecodePerCpuSecond / ceiling.DecodePerCpuSecond, 3));
        w.WriteNumber("sha1PerCpuSecond", Math.Round(ceiling.Sha1PerCpuSecond));
        w.WriteNumber("aesCbcEncryptPerCpuSecond", Math.Round(ceiling.AesCbcEncryptPerCpuSecond));
        w.WriteNumber("aesCbcDecryptPerCpuSecond", Math.Round(ceiling.AesCbcDecryptPerCpuSecond));
        w.WriteBoolean("multiBufferSha1", MultiBufferSha1.IsSupported);
        w.WriteNumber("singleFrameCeilingEncodePerCpuSecond", Math.Round(ceiling.SingleFrameEncodePerCpuSecond));
        w.WriteNumber("singleFrameCeilingDecodePerCpuSecond", Math.Round(ceiling.SingleFrameDecodePerCpuSecond));
        w.WriteNumber("singleFrameSha1PerCpuSecond", Math.Round(ceiling.SingleFrameSha1PerCpuSecond));
        w.WriteNumber("singleFrameAesCbcEncryptPerCpuSecond", Math.Round(ceiling.SingleFrameAesCbcEncryptPerCpuSecond));
        if (alternatives is null)
        {
            return;
        }

        w.WriteStartArray("primitives");
        foreach (var alternative in alternatives)
        {
            w.WriteStartObject();
            w.WriteString("operation", alternative.Operation);
            w.WriteString("name", alternative.Name);
            w.WriteBoolean("chosen", alternative.Chosen);
            w.WriteNumber("perCpuSecond", Math.Round(alternative.PerCpuSecond));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string DescribeCeiling(CodecBenchResult result, CodecCeilingResult ceiling, IReadOnlyList<CryptoPrimitiveRate>? alternatives)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
            ceiling: {ceiling.EncodePerCpuSecond:N0} encodes and {ceiling.DecodePerCpuSecond:N0} decodes per CPU second (SHA-1 and AES-CBC alone over the same bytes, {result.BatchSize} frames at a time{(MultiBufferSha1.IsSupported ? ", eight SHA-1s at once" : "")}), so the codec runs at {100 * result.EncodePerCpuSecond / ceiling.EncodePerCpuSecond:0}% and {100 * result.DecodePerCpuSecond / ceiling.DecodePerCpuSecond:0}% of it
            parts:   SHA-1 {ceiling.Sha1PerCpuSecond:N0}, AES-CBC encrypt {ceiling.AesCbcEncryptPerCpuSecond:N0}, decrypt {ceiling.AesCbcDecryptPerCpuSecond:N0} per CPU second
            one frame at a time: ceiling {ceiling.SingleFrameEncodePerCpuSecond:N0} encodes and {ceiling.SingleFrameDecodePerCpuSecond:N0} decodes; SHA-1 {ceiling.SingleFrameSha1PerCpuSecond:N0}, AES-CBC encrypt {ceiling.SingleFrameAesCbcEncryptPerCpuSecond:N0} per CPU second

            """));
        if (alternatives is not null)
        {
            text.Append("primitives per CPU second (* = the codec's):\n");
            foreach (var alternative in alternatives)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {(alternative.Chosen ? '*' : ' ')} {alternative.Operation,-14} {alternative.PerCpuSecond,12:N0}  {alternative.Name}\n");
            }
        }

        return text.ToString();
    }

    /// <summary>The <c>extended</c> object of the JSON: the extended channel's rates on the same payload.</summary>
    private static void WriteExtended(Utf8JsonWriter w, ExtendedCodecBenchResult? extended)
    {
        if (extended is null)
        {
            return;
        }

        w.WriteStartObject("extended");
        w.WriteString("aead", extended.Aead);
        w.WriteNumber("frameLength", extended.FrameLength);
        w.WriteNumber("encodePerSecond", Math.Round(extended.EncodePerSecond));
        w.WriteNumber("decodePerSecond", Math.Round(extended.DecodePerSecond));
        w.WriteNumber("encodePerCpuSecond", Math.Round(extended.EncodePerCpuSecond));
        w.WriteNumber("decodePerCpuSecond", Math.Round(extended.DecodePerCpuSecond));
        w.WriteNumber("encodeAllocatedBytesPerFrame", extended.EncodeAllocatedBytesPerFrame);
        w.WriteNumber("decodeAllocatedBytesPerFrame", extended.DecodeAllocatedBytesPerFrame);
        w.WriteNumber("decodeArrayAllocatedBytesPerFrame", extended.DecodeArrayAllocatedBytesPerFrame);
        w.WriteEndObject();
    }
}
