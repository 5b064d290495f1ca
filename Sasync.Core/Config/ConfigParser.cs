using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Sasync.Core.Config;

/// <summary>
/// Reads the sasyncd.conf language into <see cref="SyncSettings"/>. Never throws on bad input: every problem
/// becomes a <see cref="Diagnostic"/>, and after an error the reader skips to the next setting keyword so that
/// all errors of a file are reported at once.
/// </summary>
public static class ConfigParser
{
    /// <summary>Every keyword of the language; none of them can be a name, an address or a key.</summary>
    internal static readonly FrozenSet<string> Keywords = FrozenSet.Create(StringComparer.Ordinal,
        "control", "flushmode", "group", "inet", "inet6", "interface", "listen", "master", "mode", "never",
        "on", "peer", "port", "sharedkey", "skipslave", "slave", "startup", "sync");

    /// <summary>The keywords that start a setting, in the order error messages list them.</summary>
    /// <remarks>
    /// <c>channel</c> is sasyncd-cs's own and not in <see cref="Keywords"/>, so that it stays a valid name
    /// elsewhere (a peer host called "channel"), as it is for the original.
    /// </remarks>
    internal static readonly ImmutableArray<string> SettingKeywords =
        ["channel", "control", "flushmode", "group", "interface", "listen", "mode", "peer", "sharedkey"];

    /// <summary>Parses the text of a whole sasyncd.conf.</summary>
    /// <returns>The settings when there is no error, and every error and warning with its line and column.</returns>
    public static ConfigResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = ConfigTokenizer.Split(text);
        return tokens is null
            ? ConfigResult.Failed(Diagnostic.Error(1, 1, "the file could not be split into words"))
            : new Reader(tokens).Read();
    }

    /// <summary>One pass over the words; holds the settings seen so far.</summary>
    private sealed class Reader(ConfigTokenizer.Tokens tokens)
    {
        private readonly ImmutableArray<ConfigToken> _words = tokens.Words;
        private readonly List<Diagnostic> _diagnostics = [];
        private int _next;

        private string? _interface;
        private bool _sawInterface;
        private string _group = SyncSettings.DefaultGroup;
        private FlushMode _flushMode = FlushMode.Startup;
        private ListenSettings _listen = new();
        private readonly List<ConfigToken> _peers = [];

        // The first occurrence of each peer, so a duplicate is found in constant time (a list scan made big files quadratic).
        private readonly Dictionary<string, ConfigToken> _peerFirstSeen = new(StringComparer.Ordinal);
        private SharedKey? _key;
        private bool _sawKey;
        private DaemonControlMode _control = DaemonControlMode.Isakmpd;
        private RunMode _mode = RunMode.Auto;
        private bool _skipSlave;
        private ChannelPolicy _channel = ChannelPolicy.Prefer;

        public ConfigResult Read()
        {
            while (_next < _words.Length)
            {
                var word = _words[_next++];
                var ok = word.Kind == ConfigTokenKind.Word && SettingKeywords.Contains(word.Text)
                    ? ReadSetting(word)
                    : Fail(word, $"expected a setting ({JoinOr(SettingKeywords)}), found {Describe(word)}");
                if (!ok)
                {
                    SkipToSetting();
                }
            }

            if (!_sawInterface)
            {
                _diagnostics.Add(Diagnostic.Error(tokens.EndLine, tokens.EndColumn,
                    "missing required setting \"interface\" (the carp interface to follow, e.g. \"interface carp0\")"));
            }

            if (!_sawKey)
            {
                _diagnostics.Add(Diagnostic.Error(tokens.EndLine, tokens.EndColumn,
                    "missing required setting \"sharedkey\" (16, 24 or 32 bytes, e.g. 0x followed by 64 hex digits)"));
            }

            return new ConfigResult(Build(), [.. _diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column)]);
        }

        private SyncSettings? Build() =>
            _interface is null || _key is null || _diagnostics.Any(d => d.IsError)
                ? null
                : new SyncSettings
                {
                    CarpInterface = _interface,
                    CarpGroup = _group,
                    FlushMode = _flushMode,
                    Listen = _listen,
                    Peers = [.. _peers.Select(p => p.Text)],
                    SharedKey = _key,
                    Control = _control,
                    Mode = _mode,
                    SkipSlave = _skipSlave,
                    Channel = _channel,
                };

        /// <summary>Reads the rest of the setting that <paramref name="keyword"/> starts; false after an error.</summary>
        private bool ReadSetting(ConfigToken keyword)
        {
            switch (keyword.Text)
            {
                case "interface":
                    _sawInterface = true;
                    return Name(keyword, "an interface name") is { } carp && Set(out _interface, carp.Text);
                case "group":
                    return Name(keyword, "an interface group name") is { } group && Set(out _group, group.Text);
                case "flushmode":
                    return Choice(keyword, out _flushMode, ("sync", FlushMode.Sync), ("startup", FlushMode.Startup), ("never", FlushMode.Never));
                case "listen":
                    return ReadListen(keyword);
                case "mode":
                    return ReadMode(keyword);
                case "peer":
                    return ReadPeer(keyword);
                case "sharedkey":
                    _sawKey = true;
                    return ReadKey(keyword);
                case "control":
                    return ReadControl(keyword);
                case "channel":
                    return ReadChannel(keyword);
                default:
                    return Fail(keyword, $"\"{keyword.Text}\" is not handled");
            }
        }

        // listen on ADDRESS|IFNAME [inet|inet6] [port N]
        private bool ReadListen(ConfigToken keyword)
        {
            if (Keyword(keyword, "on") is not { } on || Name(on, "an address or interface name") is not { } address)
            {
                return false;
            }

            var family = ListenFamily.Any;
            if (Peek() is { } familyWord && (familyWord.IsWord("inet") || familyWord.IsWord("inet6")))
            {
                _next++;
                family = familyWord.Text == "inet" ? ListenFamily.Inet : ListenFamily.Inet6;
            }

            var port = SyncSettings.DefaultPort;
            if (Peek() is { } portWord && portWord.IsWord("port"))
            {
                _next++;
                var number = Peek();
                if (number is not { Kind: ConfigTokenKind.Number } || number.Text.AsSpan().ContainsAnyExceptInRange('0', '9'))
                {
                    return Fail(number, portWord, $"expected a port number after \"port\", found {Describe(number)}");
                }

                _next++;
                if (!int.TryParse(number.Text, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                {
                    // The setting is complete, so reading goes on after it.
                    Fail(number, $"port {Describe(number)} is out of range; expected 1 to 65535");
                    return true;
                }
            }

            _listen = new ListenSettings { On = address.Text, Family = family, Port = port };
            return true;
        }

        // mode master|slave|skipslave: skipslave is a flag of its own, master/slave lock the run state.
        private bool ReadMode(ConfigToken keyword)
        {
            if (!Choice(keyword, out RunMode? mode, ("master", RunMode.Master), ("slave", RunMode.Slave), ("skipslave", null)))
            {
                return false;
            }

            if (mode is { } locked)
            {
                _mode = locked;
            }
            else
            {
                _skipSlave = true;
            }

            return true;
        }

        private bool ReadPeer(ConfigToken keyword)
        {
            if (Name(keyword, "an address or host name") is not { } peer)
            {
                return false;
            }

            if (_peerFirstSeen.TryAdd(peer.Text, peer))
            {
                _peers.Add(peer);
            }
            else
            {
                _diagnostics.Add(Diagnostic.Warning(peer.Line, peer.Column,
                    $"peer {Describe(peer)} is already listed on line {_peerFirstSeen[peer.Text].Line}; the duplicate is ignored"));
            }

            return true;
        }

        // The key's text never reaches a message: only its kind, length or position.
        private bool ReadKey(ConfigToken keyword)
        {
            var value = Peek();
            if (value is null || value.Kind == ConfigTokenKind.Number || Keywords.Contains(value.Text))
            {
                var found = value switch
                {
                    null => "end of file",
                    { Kind: ConfigTokenKind.Number } => "a word that starts with a digit (write such a key in hex: 0x followed by its digits)",
                    _ => $"the keyword {Describe(value)}",
                };
                return Fail(value, keyword, $"expected a key after \"sharedkey\", found {found}");
            }

            _next++;
            if (!SharedKey.TryParse(value.Text, out var key, out var error))
            {
                Fail(value, error);
                return true;
            }

            _key = key;
            return true;
        }

        private bool ReadControl(ConfigToken keyword)
        {
            const string Expected = "isakmpd, iked, all or none";
            var value = Peek();
            var control = value is { Kind: ConfigTokenKind.Word } ? value.Text switch
            {
                "isakmpd" => DaemonControlMode.Isakmpd,
                "iked" => DaemonControlMode.Iked,
                "all" => DaemonControlMode.All,
                "none" => DaemonControlMode.None,
                _ => (DaemonControlMode?)null,
            } : null;
            if (control is null)
            {
                return Fail(value, keyword, $"expected {Expected} after \"control\", found {Describe(value)}");
            }

            _next++;
            _control = control.Value;
            return true;
        }

        // channel legacy|prefer|require: sasyncd-cs only, so a file with it no longer loads in the original.
        private bool ReadChannel(ConfigToken keyword)
        {
            if (!Choice(keyword, out _channel, ("legacy", ChannelPolicy.Legacy), ("prefer", ChannelPolicy.Prefer), ("require", ChannelPolicy.Require)))
            {
                return false;
            }

            _diagnostics.Add(Diagnostic.Warning(keyword.Line, keyword.Column,
                "\"channel\" is a sasyncd-cs setting: OpenBSD's sasyncd refuses a file that holds it"));
            return true;
        }

        /// <summary>The next word when it is a name (not a keyword, not a number); otherwise an error.</summary>
        private ConfigToken? Name(ConfigToken after, string what)
        {
            var value = Peek();
            if (value is { Kind: ConfigTokenKind.Word } && !Keywords.Contains(value.Text))
            {
                _next++;
                return value;
            }

            Fail(value, after, $"expected {what} after \"{after.Text}\", found {Describe(value)}");
            return null;
        }

        private ConfigToken? Keyword(ConfigToken after, string keyword)
        {
            var value = Peek();
            if (value is not null && value.IsWord(keyword))
            {
                _next++;
                return value;
            }

            Fail(value, after, $"expected \"{keyword}\" after \"{after.Text}\", found {Describe(value)}");
            return null;
        }

        private bool Choice<T>(ConfigToken after, out T result, params ReadOnlySpan<(string Word, T Value)> choices)
        {
            var value = Peek();
            foreach (var (word, choice) in choices)
            {
                if (value is not null && value.IsWord(word))
                {
                    _next++;
                    result = choice;
                    return true;
                }
            }

            var names = new List<string>();
            foreach (var (word, _) in choices)
            {
                names.Add(word);
            }

            result = default!;
            return Fail(value, after, $"expected {JoinOr(names)} after \"{after.Text}\", found {Describe(value)}");
        }

        private static bool Set<T>(out T field, T value)
        {
            field = value;
            return true;
        }

        private ConfigToken? Peek() => _next < _words.Length ? _words[_next] : null;

        /// <summary>Skips words until one can start a setting, after an error.</summary>
        private void SkipToSetting()
        {
            while (_next < _words.Length && !(_words[_next].Kind == ConfigTokenKind.Word && SettingKeywords.Contains(_words[_next].Text)))
            {
                _next++;
            }
        }

        private bool Fail(ConfigToken at, string message)
        {
            _diagnostics.Add(Diagnostic.Error(at.Line, at.Column, message));
            return false;
        }

        /// <summary>An error at <paramref name="found"/>, or just after <paramref name="after"/> at the end of the file.</summary>
        private bool Fail(ConfigToken? found, ConfigToken after, string message) =>
            Fail(found ?? after with { Column = after.Column + after.Text.Length }, message);
    }

    private static string JoinOr(IReadOnlyList<string> words) =>
        words.Count == 1 ? words[0] : $"{string.Join(", ", words.Take(words.Count - 1))} or {words[^1]}";

    /// <summary>A word as messages show it: quoted, control characters escaped, long words cut short.</summary>
    internal static string Describe(ConfigToken? token)
    {
        if (token is null)
        {
            return "end of file";
        }

        const int MaxShown = 40;
        var text = new StringBuilder("\"");
        foreach (var c in token.Text.Length > MaxShown ? token.Text.AsSpan(0, MaxShown) : token.Text)
        {
            text.Append(c is '"' or '\\' ? $"\\{c}" : char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return text.Append(token.Text.Length > MaxShown ? "...\"" : "\"").ToString();
    }
}
