using System.Text.Json;

namespace Sasync.Core.Control;

/// <summary>
/// One request on the control socket: a JSON object with a "command" and its arguments. Every string in it is
/// valid UTF-16 (<see cref="ControlLineProtocol.TryParseRequest"/> refuses the rest), and the typed accessors
/// never throw: an argument of the wrong type is an error the handler replies with.
/// </summary>
public sealed record ControlRequest(string Command, JsonElement Arguments)
{
    /// <summary>The string argument, or null when absent or null; false with a reason for any other type.</summary>
    public bool TryGetString(string name, out string? value, out string error)
    {
        value = null;
        error = "";
        if (!TryGet(name, out var element))
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = $"\"{name}\" must be a string, not {Describe(element)}";
            return false;
        }

        value = element.GetString();
        return true;
    }

    /// <summary>The integer argument, or null when absent or null; false with a reason for any other type or size.</summary>
    public bool TryGetInt64(string name, out long? value, out string error)
    {
        value = null;
        error = "";
        if (!TryGet(name, out var element))
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            error = $"\"{name}\" must be a number, not {Describe(element)}";
            return false;
        }

        if (!element.TryGetInt64(out var number))
        {
            error = $"\"{name}\" must be a whole number from {long.MinValue} to {long.MaxValue}";
            return false;
        }

        value = number;
        return true;
    }

    /// <summary>The string argument, or null when absent or not a string.</summary>
    public string? GetString(string name) => TryGetString(name, out var value, out _) ? value : null;

    /// <summary>The integer argument, or null when absent, not a number or out of range.</summary>
    public long? GetInt64(string name) => TryGetInt64(name, out var value, out _) ? value : null;

    private bool TryGet(string name, out JsonElement element)
    {
        element = default;
        return Arguments.ValueKind == JsonValueKind.Object && Arguments.TryGetProperty(name, out element) && element.ValueKind != JsonValueKind.Null;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };
}
