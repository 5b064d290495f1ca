using System.Globalization;
using Sasync.Core.Config;
using Sasync.Core.Wire;
using Sasync.Core.Wire.Extended;

namespace Sasync.Cli.Commands;

/// <summary>
/// Opens one captured extended frame for <c>decode frame --extended</c>: with the direction's traffic key and nonce salt,
/// or with the keys derived from the shared key and both hellos. The frame's own generation and sequence are taken
/// unless the request pins them; a later generation than the key's is reached by ratcheting the key forward.
/// </summary>
internal static class ExtendedFrameDecoding
{
    /// <summary>How many rekeys a key is ratcheted forward at most to reach the frame's generation (2^20 frames each).</summary>
    public const uint MaxRatchetSteps = 1 << 16;

    /// <summary>A frame that opened: its header and its plaintext.</summary>
    public sealed record Opened(ExtendedFrameHeader Header, byte[] Plaintext);

    public static bool TryDecode(ExtendedFrameRequest request, SharedKey? sharedKey, byte[] frame, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Opened? opened, out string error)
    {
        opened = null;
        if (!TryGetKey(request, sharedKey, out var trafficKey, out var salt, out error))
        {
            return false;
        }

        var options = ExtendedChannelOptions.Default;
        var headerError = ExtendedFrameHeader.Parse(frame, options.MaxPlaintextLength, out var header);
        if (headerError == FrameError.None && frame.Length != header.FrameLength)
        {
            headerError = frame.Length < header.FrameLength ? FrameError.Truncated : FrameError.TrailingBytes;
        }

        if (headerError != FrameError.None)
        {
            error = headerError.Describe();
            return false;
        }

        var keyGeneration = (uint)(request.Generation ?? 0);
        if (header.Generation < keyGeneration || header.Generation - keyGeneration > MaxRatchetSteps)
        {
            error = string.Create(CultureInfo.InvariantCulture,
                $"the frame is of key generation {header.Generation}, which the key of generation {keyGeneration} cannot reach (0 to {MaxRatchetSteps} rekeys forward)");
            return false;
        }

        var next = new byte[ExtendedFrameLayout.KeySize];
        for (var generation = keyGeneration; generation < header.Generation; generation++)
        {
            ExtendedKeySchedule.NextTrafficKey(trafficKey, next);
            (trafficKey, next) = (next, trafficKey);
        }

        var sequence = request.Sequence is { } pinned ? (ulong)pinned : header.Sequence;
        using var decoder = new ExtendedFrameDecoder(trafficKey, salt, options, header.Generation, sequence);
        var plaintext = new byte[header.PlaintextLength];
        if (!decoder.TryDecode(frame, plaintext, out header, out var failure))
        {
            error = failure.Describe();
            return false;
        }

        opened = new Opened(header, plaintext);
        return true;
    }

    private static bool TryGetKey(ExtendedFrameRequest request, SharedKey? sharedKey, out byte[] trafficKey, out byte[] salt, out string error)
    {
        trafficKey = [];
        salt = [];
        if (request.TrafficKeyHex is not null || request.NonceSaltHex is not null)
        {
            if (request.DiallerHelloHex is not null || request.AcceptorHelloHex is not null || request.From is not null)
            {
                error = "give either --traffic-key and --nonce-salt, or --key with the hellos and --from, not both";
                return false;
            }

            return TryParseFixed(request.TrafficKeyHex, "--traffic-key", ExtendedFrameLayout.KeySize, out trafficKey, out error)
                && TryParseFixed(request.NonceSaltHex, "--nonce-salt", ExtendedFrameLayout.NonceSaltSize, out salt, out error);
        }

        if (request.Generation is not null)
        {
            error = "--generation goes with --traffic-key: keys derived from the hellos are of generation 0";
            return false;
        }

        if (sharedKey is null || request.DiallerHelloHex is null || request.AcceptorHelloHex is null || request.From is null)
        {
            error = "missing --traffic-key and --nonce-salt, or --key with --dialler-hello, --acceptor-hello and --from";
            return false;
        }

        if (!TryParseHello(request.DiallerHelloHex, "--dialler-hello", out var diallerHello, out error)
            || !TryParseHello(request.AcceptorHelloHex, "--acceptor-hello", out var acceptorHello, out error))
        {
            return false;
        }

        using var secrets = ExtendedKeySchedule.Derive(sharedKey.Bytes, diallerHello, acceptorHello);
        var fromDialler = request.From == "dialler";
        trafficKey = secrets.TrafficKey(fromDialler).ToArray();
        salt = secrets.NonceSalt(fromDialler).ToArray();
        error = "";
        return true;
    }

    private static bool TryParseFixed(string? hex, string name, int length, out byte[] bytes, out string error)
    {
        bytes = [];
        if (hex is null)
        {
            error = $"missing {name} ({length} bytes in hex)";
            return false;
        }

        if (!DecodeFrameCommand.TryParseHex(hex, out bytes) || bytes.Length != length)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"{name} must be {length} bytes in hex ({length * 2} digits)");
            return false;
        }

        error = "";
        return true;
    }

    private static bool TryParseHello(string hex, string name, out byte[] hello, out string error)
    {
        if (!DecodeFrameCommand.TryParseHex(hex, out hello) || hello.Length is 0 or > ExtendedKeySchedule.MaxHelloLength)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"{name} must be 1 to {ExtendedKeySchedule.MaxHelloLength} bytes in hex");
            return false;
        }

        error = "";
        return true;
    }
}
