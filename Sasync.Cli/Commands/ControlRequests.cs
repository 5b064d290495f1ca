using System.Net.Sockets;
using System.Text.Json;
using Sasync.Core.Control;

namespace Sasync.Cli.Commands;

/// <summary>Sends a control request for a command-line verb and turns failures into one stderr line.</summary>
internal static class ControlRequests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The reply of a successful request, or null after printing why it failed.</summary>
    public static async Task<JsonDocument?> SendAsync(
        string path, string command, Action<Utf8JsonWriter>? arguments, TextWriter stderr, CancellationToken cancellationToken)
    {
        JsonDocument reply;
        try
        {
            reply = await ControlClient.RequestAsync(path, command, arguments, Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ControlClientException e)
        {
            await stderr.WriteLineAsync($"sasyncd-cs: {(NoDaemon(path, e) ? NoDaemonMessage(path) : e.Message)}").ConfigureAwait(false);
            return null;
        }

        var root = reply.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True
            && root.TryGetProperty("result", out _))
        {
            return reply;
        }

        var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var message) ? message.GetString() : root.GetRawText();
        reply.Dispose();
        // The daemon's messages mostly name the command already.
        var named = error is not null && error.StartsWith(command + ":", StringComparison.Ordinal);
        await stderr.WriteLineAsync(named ? $"sasyncd-cs: {error}" : $"sasyncd-cs: {command}: {error}").ConfigureAwait(false);
        return null;
    }

    public static string NoDaemonMessage(string path) => $"no daemon listening at {path} (is it running?)";

    /// <summary>
    /// Nothing is there to answer: no socket file (the kernel says ENOENT, which .NET reports as "cannot assign requested
    /// address"), or a socket file left behind with nobody listening (ECONNREFUSED). Other failures keep their own words.
    /// </summary>
    private static bool NoDaemon(string path, ControlClientException e) =>
        e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable }
        || (e.InnerException is SocketException && !File.Exists(path));
}
