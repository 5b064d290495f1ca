using System.Collections.Immutable;
using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Sasync.Core.Platform;

namespace Sasync.Core.Config;

/// <summary>Reads a sasyncd.conf from disk; every failure, including an unreadable file, is a diagnostic.</summary>
public static class ConfigFile
{
    /// <summary>Where the daemon reads its configuration when <c>-c</c> is not given.</summary>
    public const string DefaultPath = "/etc/sasyncd.conf";

    /// <summary>Far above any real configuration; bounds what a wrong path (a device, a log) can make us read.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>How long <see cref="LoadAsync"/> waits for the file to be read before giving up on it.</summary>
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Reads and parses the file, without looking at its owner, type or mode: the caller has checked it is a
    /// regular file (opening a FIFO blocks until a writer comes). Use the inspector overloads otherwise.
    /// </summary>
    public static ConfigResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(Read(path));
    }

    /// <summary>
    /// Checks the file with the original's rule (<paramref name="check"/> decides errors or warnings), then reads
    /// and parses it. A file that is not a regular file is an error either way and is not read (a FIFO would block).
    /// </summary>
    public static ConfigResult Load(string path, IConfigFileInspector inspector, ConfigFileCheck check)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inspector);
        return Parse(ExamineAndRead(path, inspector, check));
    }

    /// <summary>
    /// <see cref="Load(string, IConfigFileInspector, ConfigFileCheck)"/> whose examining and reading run on the
    /// thread pool and are given up after <paramref name="timeout"/> (<see cref="DefaultReadTimeout"/> when null):
    /// the file is examined before it is opened, but it can be swapped for a FIFO in between, or sit on a file
    /// system that stops answering, and neither may hold up a daemon's reload or a check. A read given up on keeps
    /// its thread until the open returns; nothing of it is used. Parsing, bounded by the size limit, is not timed.
    /// </summary>
    public static async Task<ConfigResult> LoadAsync(
        string path, IConfigFileInspector inspector, ConfigFileCheck check, TimeSpan? timeout = null,
        TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inspector);
        var limit = timeout ?? DefaultReadTimeout;
        var reading = Task.Run(() => ExamineAndRead(path, inspector, check), CancellationToken.None);
        RawFile file;
        try
        {
            file = await reading.WaitAsync(limit, timeProvider ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return ConfigResult.Failed(Diagnostic.FileError(
                $"cannot read the file: no data within {limit.TotalSeconds:0.###} s (a FIFO or a device that blocks?)"));
        }

        return Parse(file);
    }

    /// <summary>The file's bytes, or why there are none, with the file rule's findings; not read when the rule says it is no regular file.</summary>
    private sealed record RawFile(byte[] Bytes, int Length, Diagnostic? Failure, ImmutableArray<Diagnostic> Rule, bool NotRead = false);

    private static RawFile ExamineAndRead(string path, IConfigFileInspector inspector, ConfigFileCheck check)
    {
        ConfigFileFacts facts;
        try
        {
            facts = inspector.Inspect(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return new RawFile([], 0, Diagnostic.FileError($"cannot read the file: {e.Message}"), []);
        }

        var rule = ConfigFileRule.Check(facts, check);
        return facts.IsRegularFile ? Read(path) with { Rule = rule } : new RawFile([], 0, null, rule, NotRead: true);
    }

    private static RawFile Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (stream.CanSeek && stream.Length > MaxBytes)
            {
                return new RawFile([], 0, TooLarge(), []);
            }

            // The file may grow after its length was read, and a device reports none: read at most one byte more
            // than the limit, into a buffer sized to what the file claims and grown only if it was wrong.
            var buffer = new byte[stream.CanSeek ? Math.Max(stream.Length + 1, 4096) : MaxBytes + 1];
            var length = 0;
            int read;
            while (length <= MaxBytes && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
                if (length == buffer.Length && length <= MaxBytes)
                {
                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, MaxBytes + 1));
                }
            }

            return length > MaxBytes ? new RawFile([], 0, TooLarge(), []) : new RawFile(buffer, length, null, []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return new RawFile([], 0, Diagnostic.FileError($"cannot read the file: {e.Message}"), []);
        }
    }

    /// <summary>A file that could not be read gives its failure; one that was not read, the rule's findings.</summary>
    private static ConfigResult Parse(RawFile file)
    {
        if (file.Failure is { } failure)
        {
            return file.Rule.IsEmpty ? ConfigResult.Failed(failure) : ConfigResult.Failed(failure).With(file.Rule);
        }

        if (file.NotRead)
        {
            return new ConfigResult(null, file.Rule);
        }

        var parsed = Decode(file.Bytes.AsSpan(0, file.Length), out var text, out var invalid) ? ConfigParser.Parse(text) : ConfigResult.Failed(invalid!);
        return file.Rule.IsEmpty ? parsed : parsed.With(file.Rule);
    }

    private static Diagnostic TooLarge() =>
        Diagnostic.FileError($"the file is larger than {MaxBytes} bytes (1 MiB); a configuration is far smaller");

    /// <summary>Strict UTF-8 (a leading byte order mark is dropped); an invalid byte is an error at its position.</summary>
    private static bool Decode(ReadOnlySpan<byte> bytes, out string text, out Diagnostic? invalid)
    {
        if (bytes.StartsWith(Encoding.UTF8.Preamble))
        {
            bytes = bytes[Encoding.UTF8.Preamble.Length..];
        }

        var chars = new char[bytes.Length];
        var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done)
        {
            text = new string(chars, 0, written);
            invalid = null;
            return true;
        }

        var before = chars.AsSpan(0, written);
        var line = before.Count('\n') + 1;
        var column = written - (before.LastIndexOf('\n') + 1) + 1;
        text = "";
        invalid = Diagnostic.Error(line, column, $"byte 0x{bytes[read]:x2} is not valid UTF-8");
        return false;
    }
}
