using System.CommandLine;
using System.Globalization;
using Org.BouncyCastle.Crypto;
using Sasync.Core.Wire.Extended;

namespace Sasync.Cli.Commands;

/// <summary><c>bench codec [--size N] [--seconds S] [--key-bits B] [--json]</c>: see <see cref="CodecBenchmark"/>.</summary>
internal static class BenchCodecCommand
{
    public static Command Create(CliConsole console)
    {
        var size = IntOption.InRange("--size", 208, 1, 4096, "The PF_KEY payload per frame in bytes");
        var seconds = IntOption.Seconds("--seconds", 2.0, 600, "How long to run each way");
        var keyBits = new Option<int>("--key-bits") { HelpName = "128|192|256", DefaultValueFactory = _ => 256, Description = "The AES key size" }
            .OneOf("128", "192", "256");
        var json = new Option<bool>("--json") { Arity = ArgumentArity.Zero, Description = "Print the figures as JSON" };
        var aead = new Option<string>("--aead") { HelpName = "auto|bcl|bouncycastle", DefaultValueFactory = _ => "auto", Description = "The extended channel's AES-GCM: as the daemon picks it, the BCL's, or BouncyCastle's" }
            .OneOf("auto", "bcl", "bouncycastle");
        var command = new Command("codec", "Frame encode and decode rates and allocations, one thread, of the legacy and the extended channel") { size, seconds, keyBits, json, aead };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(size), parse.GetValue(seconds), parse.GetValue(keyBits), parse.GetValue(json),
            parse.GetValue(aead) switch { "bcl" => ExtendedAeadProvider.Bcl, "bouncycastle" => ExtendedAeadProvider.BouncyCastle, _ => ExtendedAeadProvider.Automatic },
            console.Out, console.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int size, double seconds, int keyBits, bool json, ExtendedAeadProvider aead, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var result = CodecBenchmark.Run(size, keyBits / 8, TimeSpan.FromSeconds(seconds), cancellationToken);
        if (result is null)
        {
            await stderr.WriteAsync($"bench codec: a {size}-byte payload cannot be sent (1 to 4096 bytes)\n").ConfigureAwait(false);
            return 1;
        }

        // The extended channel (AES-256-GCM between sasyncd-cs nodes) on the same payload, beside the legacy figures.
        var extended = ExtendedCodecBenchmark.Run(size, TimeSpan.FromSeconds(seconds), aead, cancellationToken);

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
                WriteExtended(w, extended);
                w.WriteEndObject();
            }).ConfigureAwait(false);
            return 0;
        }

        await stdout.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"""
            codec: {result.PayloadSize}-byte PF_KEY payload ({result.FrameLength}-byte frame), AES-{result.KeyBits}, hardware AES: {(AesUtilities.IsHardwareAccelerated ? "yes" : "no")}, one thread
            encode: {result.EncodePerSecond,12:N0} frames/s ({result.EncodePerCpuSecond:N0} per CPU second), {result.EncodeAllocatedBytesPerFrame:0.#} bytes allocated per frame into a buffer, {result.EncodeArrayAllocatedBytesPerFrame:0.#} as a new array
            decode: {result.DecodePerSecond,12:N0} frames/s ({result.DecodePerCpuSecond:N0} per CPU second), {result.DecodeAllocatedBytesPerFrame:0.#} bytes allocated per frame into a buffer, {result.DecodeArrayAllocatedBytesPerFrame:0.#} as a new array

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

    /// <summary>The <c>extended</c> object of the JSON: the extended channel's rates on the same payload.</summary>
    private static void WriteExtended(System.Text.Json.Utf8JsonWriter w, ExtendedCodecBenchResult? extended)
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
