using System.Text.Json;
using Sasync.Core.Loopback;
using Sasync.Tests.Config;

namespace Sasync.Tests.Packaging;

/// <summary>
/// The NativeAOT binary against the JIT build of the same commit: the grammar (Pidgin's parsers, compiled ahead of
/// time) gives the same <c>check --json</c> on good and bad files, and the binary runs the simulated daemon.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NativeAotTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-aot-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Files that reach every part of the grammar and of its diagnostics, named for what they hold.</summary>
    private static readonly (string Name, string Text)[] Configs =
    [
        ("example", File.ReadAllText(RepositoryTree.PathOf("examples", "sasyncd.conf"))),
        ("minimal", ConfigText.Minimal),
        ("every-setting", $"interface carp1 group g flushmode never control all mode slave mode skipslave\nlisten on em0 inet6 port 4500 peer a peer b peer a\nsharedkey {ConfigText.Ascii192}\n"),
        ("continuations-and-comments", $"interface \\\ncarp0 # a comment \\\nstill the comment\nsharedkey {ConfigText.Hex128}#glued comment\npeer back\\slash\n"),
        ("ascii-keys", $"interface carp0\nsharedkey {ConfigText.Ascii256}\npeer 2001:db8::1\nlisten on 0.0.0.0 inet port 4500\n"),
        ("short-key", $"interface carp0\nsharedkey {ConfigText.Hex128[..^1]}\nlisten on em0 port 0\n"),
        ("unknown-keyword", $"interface carp0\nsharedkey {ConfigText.Hex256}\nfrobnicate yes\n"),
        ("missing-values", "interface\nsharedkey\nlisten on\npeer\n"),
        ("nothing", ""),
        ("garbage", "\u0001\u0002 \t\r\n\v\f###\\\n0x 0xzz 12.3 4:5 \u00e9\u00e8 listen listen listen\n"),
    ];

    [NativeAotFact]
    public async Task Check_json_of_the_aot_binary_equals_the_jit_builds_on_good_and_bad_files()
    {
        var aot = await NativeAotBinary.PathAsync();
        var valid = 0;
        foreach (var (name, text) in Configs)
        {
            var path = Path.Combine(_directory, name + ".conf");
            await File.WriteAllTextAsync(path, text);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

            var jit = await ProcessRun.RunAsync(Dotnet, ["exec", JitBuild, "check", "--json", "-c", path], Limit);
            var native = await ProcessRun.RunAsync(aot, ["check", "--json", "-c", path], Limit);

            Assert.True(jit.ExitCode is 0 or 1, $"{name}: {jit.Output}");
            Assert.Equal((name, jit.ExitCode, jit.Stdout, jit.Stderr), (name, native.ExitCode, native.Stdout, native.Stderr));
            using var json = JsonDocument.Parse(native.Stdout);
            valid += json.RootElement.GetProperty("valid").GetBoolean() ? 1 : 0;
        }

        // Both kinds were compared: the good files parsed, the bad ones were refused.
        Assert.Equal(5, valid);
    }

    [NativeAotFact]
    public async Task The_aot_binary_runs_the_simulated_daemon_answers_status_and_stops_on_sigterm()
    {
        var aot = await NativeAotBinary.PathAsync();
        var config = Path.Combine(_directory, "daemon.conf");
        await File.WriteAllTextAsync(config, $"listen on 127.0.0.1 port {LoopbackPorts.FreePort(1)}\npeer 127.0.0.2\n{ConfigText.Minimal}");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var control = Path.Combine(_directory, "control.sock");

        var daemon = new System.Diagnostics.ProcessStartInfo(aot) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "-d", "--platform", "sim", "--sim-carp", "master", "--control", control, "-c", config })
        {
            daemon.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(daemon)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            JsonDocument? status = null;
            await Support.Eventually.TrueAsync(
                async () =>
                {
                    var run = await ProcessRun.RunAsync(aot, ["status", "--json", "--control", control], Limit);
                    if (run.ExitCode != 0)
                    {
                        return false;
                    }

                    status = JsonDocument.Parse(run.Stdout);
                    return status.RootElement.GetProperty("runState").GetString() == "MASTER";
                },
                "the AOT daemon answers status as MASTER");
            using (status)
            {
                Assert.Equal("127.0.0.2", status!.RootElement.GetProperty("peers")[0].GetProperty("name").GetString());
            }

            using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString()]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(Limit);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, await stderr);
            Assert.False(File.Exists(control));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!;

    private static string JitBuild => Path.Combine(AppContext.BaseDirectory, "sasyncd-cs.dll");
}
