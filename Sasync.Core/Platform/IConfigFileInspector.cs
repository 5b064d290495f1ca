using Sasync.Core.Config;

namespace Sasync.Core.Platform;

/// <summary>Looks at the configuration file itself (stat(2) on OpenBSD) for <see cref="ConfigFileRule"/>.</summary>
public interface IConfigFileInspector
{
    /// <summary>Facts about the file at <paramref name="path"/>, following symbolic links.</summary>
    /// <exception cref="IOException">The file does not exist or cannot be examined.</exception>
    /// <exception cref="UnauthorizedAccessException">The caller may not examine the file.</exception>
    ConfigFileFacts Inspect(string path);
}
