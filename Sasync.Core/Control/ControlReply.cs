using System.Text.Json;

namespace Sasync.Core.Control;

/// <summary>The answer to a control request: <c>{"ok": true, "result": …}</c> or <c>{"ok": false, "error": "…"}</c>.</summary>
public sealed record ControlReply
{
    private ControlReply(string? error, Action<Utf8JsonWriter>? writeResult)
    {
        Error = error;
        WriteResult = writeResult;
    }

    public string? Error { get; }

    public bool Ok => Error is null;

    /// <summary>Writes the "result" value; null means an empty object.</summary>
    public Action<Utf8JsonWriter>? WriteResult { get; }

    public static ControlReply Success(Action<Utf8JsonWriter>? writeResult = null) => new(null, writeResult);

    public static ControlReply Failure(string error) => new(error, null);

    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteBoolean("ok", Ok);
        if (Error is not null)
        {
            writer.WriteString("error", Error);
        }
        else
        {
            writer.WritePropertyName("result");
            if (WriteResult is null)
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
            else
            {
                WriteResult(writer);
            }
        }

        writer.WriteEndObject();
    }
}
