using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Sasync.Core.Platform;

namespace Sasync.Core.Config;

/// <summary>Reads a sasyncd.conf from disk; every failure, including an unreadable file, is a diagnostic.</summary>
public static class ConfigFile
{
    public const string DefaultPath = "/etc/sasyncd.conf";

    /// <summary>Far above any real configuration; bounds what a wrong path (a device, a log) can make us read.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Reads and parses the file, without looking at its owner, type or mode.</summary>
    public static ConfigResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            // Devices and pipes report no useful length, so read up to the limit and look at what came.
            var buffer = new byte[MaxBytes + 1];
            var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (length > MaxBytes)
            {
                return ConfigResult.Failed(Diagnostic.FileError($"the file is larger than {MaxBytes} bytes"));
            }

            return Decode(buffer.AsSpan(0, length), out var text, out var invalid) ? ConfigParser.Parse(text) : ConfigResult.Failed(invalid!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return ConfigResult.Failed(Diagnostic.FileError($"cannot read the file: {e.Message}"));
        }
    }

    /// <summary>
    /// Checks the file with the original's rule (<paramref name="check"/> decides errors or warnings), then reads
    /// and parses it. A file that is not a regular file is an error either way and is not read (a FIFO would block).
    /// </summary>
    public static ConfigResult Load(string path, IConfigFileInspector inspector, ConfigFileCheck check)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inspector);
        ConfigFileFacts facts;
        try
        {
            facts = inspector.Inspect(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return ConfigResult.Failed(Diagnostic.FileError($"cannot read the file: {e.Message}"));
        }

        var rule = ConfigFileRule.Check(facts, check);
        return facts.IsRegularFile ? Load(path).With(rule) : new ConfigResult(null, rule);
    }

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
