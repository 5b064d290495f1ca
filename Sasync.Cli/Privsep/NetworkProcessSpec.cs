using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Sasync.Cli.Privsep;

/// <summary>
/// What the privileged process tells the network process it starts, as the value of the internal
/// <c>--privsep-child</c> flag: the inherited descriptors (channel, PF_KEY, control socket, peer
/// listeners), the pid the simulated kernel knows it by, and who the privileged process is.
/// Written <c>channel=3,keys=4,control=5,listen=6+7,keyspid=100,parent=100,parentuser=root</c>.
/// </summary>
internal sealed record NetworkProcessSpec(int Channel, int Keys, int Control, ImmutableArray<int> Listen, uint KeysPid, int ParentPid, string ParentUser)
{
    public string Format() => string.Join(',',
        $"channel={Channel}",
        $"keys={Keys}",
        $"control={Control}",
        $"listen={string.Join('+', Listen)}",
        $"keyspid={KeysPid}",
        $"parent={ParentPid}",
        $"parentuser={ParentUser}");

    public static bool TryParse(string text, [NotNullWhen(true)] out NetworkProcessSpec? spec)
    {
        ArgumentNullException.ThrowIfNull(text);
        spec = null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in text.Split(','))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !fields.TryAdd(field[..equals], field[(equals + 1)..]))
            {
                return false;
            }
        }

        if (!Descriptor(fields, "channel", out var channel) || !Descriptor(fields, "keys", out var keys) || !Descriptor(fields, "control", out var control)
            || !fields.TryGetValue("listen", out var listenText) || !fields.TryGetValue("parentuser", out var parentUser)
            || !fields.TryGetValue("keyspid", out var keysPidText) || !uint.TryParse(keysPidText, NumberStyles.None, CultureInfo.InvariantCulture, out var keysPid)
            || !Descriptor(fields, "parent", out var parent))
        {
            return false;
        }

        var listen = ImmutableArray.CreateBuilder<int>();
        foreach (var item in listenText.Split('+', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
            {
                return false;
            }

            listen.Add(fd);
        }

        spec = new NetworkProcessSpec(channel, keys, control, listen.ToImmutable(), keysPid, parent, parentUser);
        return true;
    }

    private static bool Descriptor(Dictionary<string, string> fields, string name, out int value)
    {
        value = 0;
        return fields.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
