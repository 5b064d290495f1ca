using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Sasync.Cli.Commands;

/// <summary>Writes one JSON document, built with a Utf8JsonWriter, to a text writer.</summary>
internal static class JsonOutput
{
    public static async Task WriteAsync(TextWriter output, Action<Utf8JsonWriter> write, bool indented = true)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            write(json);
        }

        await output.WriteAsync(Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n").ConfigureAwait(false);
    }

    public static Task WriteErrorAsync(TextWriter output, string message) =>
        WriteAsync(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("error", message);
            json.WriteEndObject();
        });
}
