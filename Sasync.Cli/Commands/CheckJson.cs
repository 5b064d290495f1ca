using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sasync.Core.Config;

namespace Sasync.Cli.Commands;

/// <summary>
/// The one JSON object of <c>check --json</c>. Its field names and values are a product interface: change them
/// only together with the README. The key is shown only as its length in bits.
/// </summary>
public static class CheckJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Messages quote words; keep them readable. The output is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Renders <paramref name="result"/>; with <paramref name="valid"/> false the settings are left out.</summary>
    public static string Render(ConfigResult result, bool valid)
    {
        ArgumentNullException.ThrowIfNull(result);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteBoolean("valid", valid);
            if (valid && result.Settings is { } settings)
            {
                json.WritePropertyName("settings");
                WriteSettings(json, settings);
            }

            json.WriteStartArray("diagnostics");
            foreach (var diagnostic in result.Diagnostics)
            {
                json.WriteStartObject();
                json.WriteNumber("line", diagnostic.Line);
                json.WriteNumber("column", diagnostic.Column);
                json.WriteString("severity", diagnostic.IsError ? "error" : "warning");
                json.WriteString("message", diagnostic.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteSettings(Utf8JsonWriter json, SyncSettings settings)
    {
        json.WriteStartObject();
        json.WriteString("interface", settings.CarpInterface);
        json.WriteString("group", settings.CarpGroup);
        json.WriteStartObject("listen");
        if (settings.Listen.On is { } on)
        {
            json.WriteString("on", on);
        }
        else
        {
            json.WriteNull("on");
        }

        json.WriteString("family", settings.Listen.Family switch
        {
            ListenFamily.Inet => "inet",
            ListenFamily.Inet6 => "inet6",
            _ => "any",
        });
        json.WriteNumber("port", settings.Listen.Port);
        json.WriteEndObject();
        json.WriteStartArray("peers");
        foreach (var peer in settings.Peers)
        {
            json.WriteStringValue(peer);
        }

        json.WriteEndArray();
        json.WriteNumber("sharedKeyBits", settings.SharedKey.Bits);
        json.WriteString("flushMode", settings.FlushMode switch
        {
            FlushMode.Sync => "sync",
            FlushMode.Never => "never",
            _ => "startup",
        });
        json.WriteString("control", settings.Control switch
        {
            DaemonControlMode.Iked => "iked",
            DaemonControlMode.All => "all",
            DaemonControlMode.None => "none",
            _ => "isakmpd",
        });
        json.WriteString("mode", settings.Mode switch
        {
            RunMode.Master => "master",
            RunMode.Slave => "slave",
            _ => "auto",
        });
        json.WriteBoolean("skipSlave", settings.SkipSlave);
        json.WriteString("channel", settings.Channel switch
        {
            ChannelPolicy.Legacy => "legacy",
            ChannelPolicy.Require => "require",
            _ => "prefer",
        });
        json.WriteEndObject();
    }
}
