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

    /// <summary>Why the request failed, in words for the operator; null on success.</summary>
    public string? Error { get; }

    /// <summary>Whether the request succeeded: the reply's <c>"ok"</c>.</summary>
    public bool Ok => Error is null;

    /// <summary>Writes the "result" value; null means an empty object.</summary>
    public Action<Utf8JsonWriter>? WriteResult { get; }

    /// <summary>A success whose <c>"result"</c> <paramref name="writeResult"/> writes, called when the reply is sent.</summary>
    /// <param name="writeResult">Writes exactly one JSON value; null for <c>{}</c>.</param>
    public static ControlReply Success(Action<Utf8JsonWriter>? writeResult = null) => new(null, writeResult);

    /// <summary>A failure that tells the client <paramref name="error"/>.</summary>
    public static ControlReply Failure(string error) => new(error, null);

    /// <summary>Writes the whole reply object (without the line's newline).</summary>
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
