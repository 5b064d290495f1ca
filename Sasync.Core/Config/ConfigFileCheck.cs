namespace Sasync.Core.Config;

/// <summary>How strictly <see cref="ConfigFileRule"/> treats the file itself.</summary>
public enum ConfigFileCheck
{
    /// <summary>Starting the daemon or <c>-n</c>: the original's rule; a breach is an error.</summary>
    Daemon,

    /// <summary><c>check</c>: files in repositories; no owner rule, and bad mode bits are a warning.</summary>
    Repository,
}
