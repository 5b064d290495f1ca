using System.CommandLine;
using System.Globalization;
using Org.BouncyCastle.Crypto;

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
        var command = new Command("codec", "Frame encode and decode rates and allocations, one thread") { size, seconds, keyBits, json };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(size), parse.GetValue(seconds), parse.GetValue(keyBits), parse.GetValue(json), console.Out, console.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int size, double seconds, int keyBits, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var result = CodecBenchmark.Run(size, keyBits / 8, TimeSpan.FromSeconds(seconds), cancellationToken);
        if (result is null)
        {
            await stderr.WriteAsync($"bench codec: a {size}-byte payload cannot be sent (1 to 4096 bytes)\n").ConfigureAwait(false);
            return 1;
        }

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
        return 0;
    }
}
