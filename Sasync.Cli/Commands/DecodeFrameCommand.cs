using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Sasync.Core.Config;
using Sasync.Core.PfKey;
using Sasync.Core.Wire;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>decode frame --key KEY [HEX|-]</c>: decodes one captured peer frame and prints
/// <c>{"type", "padLength", "plaintext", "control"?}</c>, or <c>{"error"}</c> with exit code 1.
/// With <c>--extended</c> the frame is one of the extended channel, opened with the session's keys
/// (see <see cref="ExtendedFrameDecoding"/>).
/// </summary>
internal static class DecodeFrameCommand
{
    /// <summary>Hex of the largest frame, with room for line breaks and spaces; anything longer is refused unread.</summary>
    private const int MaxInputChars = 4 * (FrameLayout.CiphertextOffset + 4096);

    internal static Command Create(CliConsole console)
    {
        var key = new Option<string>("--key") { HelpName = "KEY", Description = "The shared key as sasyncd.conf gives it: 0x and hex digits, or a 16, 24 or 32-character string" };
        var hex = new Argument<string?>("HEX") { Arity = ArgumentArity.ZeroOrOne, Description = "The frame in hex; '-' or nothing reads it from stdin" }.NotAnOption();
        var extended = ExtendedFrameOptions.Create();
        var command = new Command("frame", "Decrypt and check one captured peer frame and print it as JSON; with --extended, a frame of the extended channel, "
            + "given either its direction's --traffic-key and --nonce-salt, or --key with both hellos and --from")
        {
            key, hex, extended.Extended, extended.TrafficKey, extended.NonceSalt, extended.Generation, extended.Sequence,
            extended.DiallerHello, extended.AcceptorHello, extended.From,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(key), parse.GetValue(hex), extended.Read(parse), console.Out, console.In));
        return command;
    }

    private static async Task<int> RunAsync(string? keyText, string? hexArgument, ExtendedFrameRequest extended, TextWriter stdout, TextReader stdin)
    {
        var hexText = hexArgument is null or "-" ? null : hexArgument;
        if (extended.MisplacedOption is { } misplaced)
        {
            return await FailAsync(stdout, $"{misplaced} is for extended frames: add --extended").ConfigureAwait(false);
        }

        var needsSharedKey = !extended.Enabled || extended.TrafficKeyHex is null;
        SharedKey? key = null;
        if (needsSharedKey && keyText is null)
        {
            return await FailAsync(stdout, extended.Enabled
                ? "missing --traffic-key and --nonce-salt, or --key with --dialler-hello, --acceptor-hello and --from"
                : "missing --key (0x followed by hex digits, or a 16, 24 or 32-character string)").ConfigureAwait(false);
        }

        if (keyText is not null && !SharedKey.TryParse(keyText, out key, out var keyError))
        {
            return await FailAsync(stdout, keyError).ConfigureAwait(false);
        }

        hexText ??= await ReadBoundedAsync(stdin).ConfigureAwait(false);
        if (hexText is null)
        {
            return await FailAsync(stdout, "input too long for one frame").ConfigureAwait(false);
        }

        if (!TryParseHex(hexText, out var frame))
        {
            return await FailAsync(stdout, "the frame is not hex").ConfigureAwait(false);
        }

        if (extended.Enabled)
        {
            if (!ExtendedFrameDecoding.TryDecode(extended, key, frame, out var opened, out var failure))
            {
                return await FailAsync(stdout, failure).ConfigureAwait(false);
            }

            await JsonOutput.WriteAsync(stdout, json => WriteExtendedFrame(json, opened)).ConfigureAwait(false);
            return 0;
        }

        if (key is null)
        {
            return await FailAsync(stdout, "missing --key (0x followed by hex digits, or a 16, 24 or 32-character string)").ConfigureAwait(false);
        }

        if (!new FrameDecoder(key).TryDecode(frame, out var decoded, out var error))
        {
            return await FailAsync(stdout, error.Describe()).ConfigureAwait(false);
        }

        await JsonOutput.WriteAsync(stdout, json => WriteFrame(json, decoded)).ConfigureAwait(false);
        return 0;
    }

    private static void WriteFrame(Utf8JsonWriter json, DecodedFrame frame)
    {
        json.WriteStartObject();
        json.WriteString("type", frame.Type.Name());
        json.WriteNumber("padLength", frame.PadLength);
        WritePlaintext(json, frame);
        json.WriteEndObject();
    }

    private static void WriteExtendedFrame(Utf8JsonWriter json, ExtendedFrameDecoding.Opened opened)
    {
        json.WriteStartObject();
        json.WriteString("channel", "extended");
        json.WriteString("type", opened.Header.Type.Name());
        json.WriteNumber("generation", opened.Header.Generation);
        json.WriteNumber("sequence", opened.Header.Sequence);
        WritePlaintext(json, new DecodedFrame(opened.Header.Type, opened.Plaintext, 0));
        json.WriteEndObject();
    }

    /// <summary>The plaintext in hex, then the control or PF_KEY message it carries.</summary>
    private static void WritePlaintext(Utf8JsonWriter json, DecodedFrame frame)
    {
        json.WriteString("plaintext", Convert.ToHexStringLower(frame.Plaintext));
        if (frame.TryGetControl(out var control))
        {
            json.WriteStartObject("control");
            json.WriteString("type", control.Type.Name());
            json.WriteNumber("data", control.Data);
            json.WriteNumber("data2", control.Data2);
            json.WriteEndObject();
        }
        else if (frame.Type == WireMessageType.PfKey)
        {
            // The PF_KEY message the frame carries, as `decode pfkey` shows it; or why it is not one.
            if (PfKeyMessage.TryParse(frame.Plaintext, out var message, out var pfkeyError))
            {
                json.WritePropertyName("pfkey");
                PfKeyJsonWriter.WriteMessage(json, message);
            }
            else
            {
                json.WriteString("pfkeyError", pfkeyError.ToString());
            }
        }
    }

    /// <summary>Hex digits, ignoring white space (so wrapped dumps paste as they are).</summary>
    internal static bool TryParseHex(string text, out byte[] bytes)
    {
        var digits = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                digits.Append(c);
            }
        }

        bytes = new byte[digits.Length / 2];
        return digits.Length % 2 == 0
            && Convert.FromHexString(digits.ToString(), bytes, out _, out var written) == OperationStatus.Done
            && written == bytes.Length;
    }

    /// <summary>Reads all of the input, or null when it is longer than any frame could be.</summary>
    private static async Task<string?> ReadBoundedAsync(TextReader input)
    {
        var buffer = new char[MaxInputChars + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await input.ReadAsync(buffer.AsMemory(total)).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total > MaxInputChars ? null : new string(buffer, 0, total);
    }

    private static async Task<int> FailAsync(TextWriter stdout, string message)
    {
        await JsonOutput.WriteErrorAsync(stdout, message).ConfigureAwait(false);
        return 1;
    }
}
