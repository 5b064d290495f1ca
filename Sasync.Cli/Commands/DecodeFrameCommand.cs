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
/// </summary>
internal static class DecodeFrameCommand
{
    /// <summary>Hex of the largest frame, with room for line breaks and spaces; anything longer is refused unread.</summary>
    private const int MaxInputChars = 4 * (FrameLayout.CiphertextOffset + 4096);

    internal static Command Create(CliConsole console)
    {
        var key = new Option<string>("--key") { HelpName = "KEY", Description = "The shared key as sasyncd.conf gives it: 0x and hex digits, or a 16, 24 or 32-character string" };
        var hex = new Argument<string?>("HEX") { Arity = ArgumentArity.ZeroOrOne, Description = "The frame in hex; '-' or nothing reads it from stdin" }.NotAnOption();
        var command = new Command("frame", "Decrypt and check one captured peer frame and print it as JSON") { key, hex };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(key), parse.GetValue(hex), console.Out, console.In));
        return command;
    }

    private static async Task<int> RunAsync(string? keyText, string? hexArgument, TextWriter stdout, TextReader stdin)
    {
        var hexText = hexArgument is null or "-" ? null : hexArgument;
        if (keyText is null)
        {
            return await FailAsync(stdout, "missing --key (0x followed by hex digits, or a 16, 24 or 32-character string)").ConfigureAwait(false);
        }

        if (!SharedKey.TryParse(keyText, out var key, out var keyError))
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

        json.WriteEndObject();
    }

    /// <summary>Hex digits, ignoring white space (so wrapped dumps paste as they are).</summary>
    private static bool TryParseHex(string text, out byte[] bytes)
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
