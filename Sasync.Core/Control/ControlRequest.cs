using System.Text.Json;

namespace Sasync.Core.Control;

/// <summary>One request on the control socket: a JSON object with a "command" and its arguments.</summary>
public sealed record ControlRequest(string Command, JsonElement Arguments)
{
    public string? GetString(string name) =>
        Arguments.ValueKind == JsonValueKind.Object && Arguments.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public long? GetInt64(string name) =>
        Arguments.ValueKind == JsonValueKind.Object && Arguments.TryGetProperty(name, out var value) && value.TryGetInt64(out var number)
            ? number
            : null;
}
