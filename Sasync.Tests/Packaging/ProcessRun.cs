using System.Diagnostics;

namespace Sasync.Tests.Packaging;

/// <summary>What a finished child process printed and returned.</summary>
public sealed record ProcessRun(int ExitCode, string Stdout, string Stderr)
{
    public string Output => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

    /// <summary>Runs <paramref name="file"/> to its end (killed with its children past <paramref name="limit"/>), stdin closed.</summary>
    public static async Task<ProcessRun> RunAsync(
        string file,
        IEnumerable<string> args,
        TimeSpan limit,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {limit}");
        }

        try
        {
            // A process it left running may still hold the pipes; that is a failure, not a wait.
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{file} {string.Join(' ', args)} exited but left a process holding its output open");
        }

        return new ProcessRun(process.ExitCode, await stdout, await stderr);
    }
}
