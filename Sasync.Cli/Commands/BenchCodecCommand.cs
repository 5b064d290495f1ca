using System.Globalization;
using Org.BouncyCastle.Crypto;

namespace Sasync.Cli.Commands;

/// <summary><c>bench codec [--size N] [--seconds S] [--key-bits B] [--json]</c>: see <see cref="CodecBenchmark"/>.</summary>
internal static class BenchCodecCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var size = 208;
        var seconds = 2.0;
        var keyBits = 256;
        var json = false;
        for (var i = 0; i < args.Length; i++)
        {
            var ok = args[i] switch
            {
                "--json" => json = true,
                "--size" => TryTakeInt(args, ref i, out size),
                "--seconds" => ++i < args.Length && double.TryParse(args[i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out seconds),
                "--key-bits" => TryTakeInt(args, ref i, out keyBits),
                _ => false,
            };
            if (!ok)
            {
                await stderr.WriteAsync($"bench codec: bad argument '{args[Math.Min(i, args.Length - 1)]}'\n{BenchCommand.Usage}").ConfigureAwait(false);
                return 1;
            }
        }

        if (keyBits is not (128 or 192 or 256) || seconds is <= 0 or > 600)
        {
            await stderr.WriteAsync($"bench codec: --key-bits must be 128, 192 or 256 and --seconds in (0, 600]\n{BenchCommand.Usage}").ConfigureAwait(false);
            return 1;
        }

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
            encode: {result.EncodePerSecond,12:N0} frames/s, {result.EncodeAllocatedBytesPerFrame:0.#} bytes allocated per frame into a buffer, {result.EncodeArrayAllocatedBytesPerFrame:0.#} as a new array
            decode: {result.DecodePerSecond,12:N0} frames/s, {result.DecodeAllocatedBytesPerFrame:0.#} bytes allocated per frame into a buffer, {result.DecodeArrayAllocatedBytesPerFrame:0.#} as a new array

            """)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Takes the value after an option as a non-negative integer.</summary>
    private static bool TryTakeInt(string[] args, ref int i, out int value)
    {
        value = 0;
        return ++i < args.Length && int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
