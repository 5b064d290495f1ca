using System.Collections.Immutable;

namespace Sasync.Core.Config;

/// <summary>
/// The original's rule for the file that holds the shared key: a regular file, owned by root or
/// <c>_isakmpd</c>, with no group or other permission bits.
/// </summary>
public static class ConfigFileRule
{
    /// <summary>The uid of root, the other owner the rule accepts.</summary>
    public const int RootUid = 0;

    /// <summary>The uid of <c>_isakmpd</c> in OpenBSD's master.passwd.</summary>
    public const int IsakmpdUid = 68;

    /// <summary>The message for a directory, FIFO, device or socket; printed as <c>FILE: not a regular file</c>.</summary>
    public const string NotRegularFile = "not a regular file";

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Whole-file diagnostics (line 0) for <paramref name="facts"/>; empty when the file is acceptable.</summary>
    public static ImmutableArray<Diagnostic> Check(ConfigFileFacts facts, ConfigFileCheck check, int isakmpdUid = IsakmpdUid)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var daemon = check == ConfigFileCheck.Daemon;
        var consequence = daemon ? "" : "; the daemon refuses such a file";
        var found = ImmutableArray.CreateBuilder<Diagnostic>();
        void Add(string message) => found.Add(daemon ? Diagnostic.FileError(message) : Diagnostic.FileWarning(message + consequence));

        if (!facts.IsRegularFile)
        {
            // Not even readable as a configuration (a FIFO would block the reader), so an error in both modes,
            // and its owner and mode bits are beside the point.
            return [Diagnostic.FileError(NotRegularFile)];
        }

        if (daemon && facts.OwnerUid is null)
        {
            found.Add(Diagnostic.FileWarning("the owner of the configuration file cannot be checked on this platform (it must be root or _isakmpd)"));
        }
        else if (daemon && facts.OwnerUid is { } uid && uid != RootUid && uid != isakmpdUid)
        {
            Add($"the configuration file is owned by uid {uid}; it must be owned by root or _isakmpd");
        }

        if ((facts.Mode & GroupOrOther) != 0)
        {
            var octal = Convert.ToString((int)facts.Mode & 0x1ff, 8).PadLeft(4, '0');
            Add($"the configuration file has mode {octal}, which gives group or others access to the shared key; use mode 0600 or stricter");
        }

        return found.ToImmutable();
    }
}
