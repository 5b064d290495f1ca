using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Unicode;

namespace Sasync.Core.Control;

/// <summary>
/// The control socket speaks JSON lines: one JSON object per line in each direction. A line is
/// limited in size so that a misbehaving client cannot make the daemon allocate without bound.
/// </summary>
public static class ControlLineProtocol
{
    /// <summary>The longest line either side reads (1 MiB, newline excluded); a longer one is refused, not buffered.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>Reads the next line; null at end of stream; throws <see cref="InvalidDataException"/> past the limit.</summary>
    public static async ValueTask<byte[]?> ReadLineAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var position = buffer.PositionOf((byte)'\n');
            if (position is { } end)
            {
                var line = buffer.Slice(0, end).ToArray();
                reader.AdvanceTo(buffer.GetPosition(1, end));
                return line;
            }

            if (buffer.Length > MaxLineBytes)
            {
                reader.AdvanceTo(buffer.End);
                throw new InvalidDataException($"control line longer than {MaxLineBytes} bytes");
            }

            if (result.IsCompleted)
            {
                var rest = buffer.IsEmpty ? null : buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return rest;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Writes one JSON value and its newline, then flushes, so the peer can read the line at once.</summary>
    /// <param name="stream">The connection.</param>
    /// <param name="write">Writes exactly one JSON value (normally an object); no newline of its own.</param>
    /// <param name="cancellationToken">Abandons the write.</param>
    public static async ValueTask WriteLineAsync(Stream stream, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        buffer.Write("\n"u8);
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Parses a request line; false with a reason when it is not <c>{"command": "…", …}</c> in valid UTF-8 whose
    /// strings are all valid UTF-16 (an escaped lone surrogate would make every later use of the string throw).
    /// </summary>
    public static bool TryParseRequest(ReadOnlyMemory<byte> line, out ControlRequest? request, out string error)
    {
        request = null;
        if (!Utf8.IsValid(line.Span))
        {
            var at = FirstInvalidUtf8(line.Span);
            error = $"the request is not valid UTF-8 (byte 0x{line.Span[at]:x2} at offset {at})";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("command", out var command) || command.ValueKind != JsonValueKind.String)
            {
                error = "a request is a JSON object with a string \"command\"";
                return false;
            }

            if (!AllStringsDecode(root))
            {
                error = "the request holds a string that is not valid Unicode (a lone surrogate escape?)";
                return false;
            }

            request = new ControlRequest(command.GetString()!, root.Clone());
            error = "";
            return true;
        }
        catch (JsonException e)
        {
            error = $"not JSON: {e.Message}";
            return false;
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        Utf8.ToUtf16(bytes, chars, out var read, out _, replaceInvalidSequences: false);
        return Math.Min(read, bytes.Length - 1);
    }

    /// <summary>Every property name and string value decodes; the document's depth is bounded, so is the recursion.</summary>
    private static bool AllStringsDecode(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name is null || !AllStringsDecode(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!AllStringsDecode(item))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
