using System.Buffers;
using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sasync.Core.PfKey;

namespace Sasync.Cli.Commands;

/// <summary>
/// <c>sasyncd-cs decode pfkey [HEX|-]</c>: prints one PF_KEY v2 message, given as hex on the
/// command line or on standard input, as JSON. Errors are <c>{"error": "..."}</c> with exit 1.
/// </summary>
public static class DecodePfKeyCommand
{
    // Twice the largest message sadb_msg_len can describe, with room for separators.
    private const int MaxInputChars = 4 * PfKeyMessageBuilder.MaxByteLength;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    internal static Command Create(CliConsole console)
    {
        var hex = new Argument<string?>("HEX") { Arity = ArgumentArity.ZeroOrOne, Description = "The message in hex; '-' or nothing reads it from stdin" }.NotAnOption();
        var command = new Command("pfkey", "Print one PF_KEY v2 message as JSON (keys only as their bit length)") { hex };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(hex), console.In, console.Out));
        return command;
    }

    private static async Task<int> RunAsync(string? argument, TextReader stdin, TextWriter stdout)
    {
        string hex;
        if (argument is null or "-")
        {
            var buffer = new char[MaxInputChars + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stdin.ReadAsync(buffer.AsMemory(total)).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            if (total > MaxInputChars)
            {
                return await FailAsync(stdout, $"input longer than {MaxInputChars} characters").ConfigureAwait(false);
            }

            hex = new string(buffer, 0, total);
        }
        else
        {
            hex = argument;
        }

        if (!TryParseHex(hex, out var bytes, out var problem))
        {
            return await FailAsync(stdout, problem).ConfigureAwait(false);
        }

        if (TryReadWrapper(bytes, out var wrapper))
        {
            // A promiscuous copy: the kernel's 16-byte X_PROMISC header, then the original message verbatim.
            if (!PfKeyMessage.TryParse(bytes.AsMemory(SadbHeader.Size), out var inner, out var innerError))
            {
                return await FailAsync(stdout, (innerError with { Offset = innerError.Offset + SadbHeader.Size }).ToString()).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(Render(writer => PfKeyJsonWriter.WriteWrapped(writer, wrapper, inner))).ConfigureAwait(false);
            return 0;
        }

        if (!PfKeyMessage.TryParse(bytes, out var message, out var error))
        {
            return await FailAsync(stdout, error.ToString()).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync(Render(writer => PfKeyJsonWriter.WriteMessage(writer, message))).ConfigureAwait(false);
        return 0;
    }

    // X_PROMISC of at least 32 bytes whose length fits is a wrapper; a bare 16-byte one is the on/off request.
    private static bool TryReadWrapper(byte[] bytes, out SadbHeader wrapper)
    {
        wrapper = bytes.Length >= SadbHeader.Size ? SadbHeader.Read(bytes) : default;
        return bytes.Length >= 2 * SadbHeader.Size
            && wrapper.Type == SadbMessageType.XPromisc
            && wrapper.ByteLength == bytes.Length;
    }

    /// <summary>Hex digits, optionally with a 0x prefix and whitespace, ':' or '-' between bytes.</summary>
    internal static bool TryParseHex(string text, out byte[] bytes, out string problem)
    {
        bytes = [];
        var digits = new string(text.Where(c => !char.IsWhiteSpace(c) && c is not ':' and not '-').ToArray());
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        if (digits.Length == 0)
        {
            problem = "no hex input";
            return false;
        }

        if (digits.Length % 2 != 0)
        {
            problem = $"odd number of hex digits ({digits.Length})";
            return false;
        }

        var bad = digits.AsSpan().IndexOfAnyExcept(HexDigits);
        if (bad >= 0)
        {
            problem = $"'{digits[bad]}' is not a hex digit";
            return false;
        }

        bytes = Convert.FromHexString(digits);
        problem = string.Empty;
        return true;
    }

    private static async Task<int> FailAsync(TextWriter stdout, string message)
    {
        await stdout.WriteLineAsync(Render(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        })).ConfigureAwait(false);
        return 1;
    }

    private static string Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
