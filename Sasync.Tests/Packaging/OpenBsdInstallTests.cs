using System.Text.Json;

namespace Sasync.Tests.Packaging;

/// <summary>
/// packaging/openbsd/install.sh and uninstall.sh run by sh with DESTDIR staging (no root, no
/// OpenBSD): what they refuse, what they write, and that the rc.d script finds the daemon it starts.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OpenBsdInstallTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("sasync-install-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Temp(string name) => Path.Combine(_directory, name);

    private static string Script(string name) => RepositoryTree.PathOf("packaging", "openbsd", name);

    /// <summary>A framework-dependent publish of the daemon, taken from the test output (which holds every dll it needs).</summary>
    private string Publish(bool withLinuxApphost = false)
    {
        var publish = Temp(withLinuxApphost ? "publish-apphost" : "publish");
        if (Directory.Exists(publish))
        {
            return publish;
        }

        Directory.CreateDirectory(publish);
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".dll", StringComparison.Ordinal) || name.StartsWith("sasyncd-cs.", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(publish, name));
            }
        }

        if (withLinuxApphost)
        {
            // The native launcher the SDK builds for the build machine, as a plain `dotnet publish` on Linux leaves it.
            File.Copy(Path.Combine(AppContext.BaseDirectory, "sasyncd-cs"), Path.Combine(publish, "sasyncd-cs"));
        }

        return publish;
    }

    private static Task<ProcessRun> ShAsync(string script, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        ProcessRun.RunAsync("sh", [script, .. args], Limit, environment);

    private Task<ProcessRun> InstallAsync(string publish, string destdir, string? dotnet = null) =>
        ShAsync(Script("install.sh"), new Dictionary<string, string?> { ["DESTDIR"] = destdir, ["DOTNET"] = dotnet, ["PREFIX"] = null, ["SYSCONFDIR"] = null }, publish);

    private static string[] FilesUnder(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(p => !Directory.Exists(p)).Select(p => Path.GetRelativePath(root, p)).Order().ToArray()
            : [];

    [Fact]
    public async Task A_publish_that_holds_the_linux_apphost_is_refused_and_nothing_is_installed()
    {
        var stage = Temp("stage");

        var run = await InstallAsync(Publish(withLinuxApphost: true), stage);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("launcher for another OS (linux)", run.Stderr);
        Assert.Contains("-p:UseAppHost=false", run.Stderr);
        Assert.Empty(FilesUnder(stage));
    }

    public static TheoryData<string, byte[], string?> Launchers => new()
    {
        { "OpenBSD note", ElfImage.Build(osAbi: 0, "OpenBSD"), null },
        { "OS/ABI OpenBSD", ElfImage.Build(osAbi: 12, noteName: null), null },
        { "GNU ABI tag", ElfImage.Build(osAbi: 0, "GNU"), "(linux)" },
        { "OS/ABI FreeBSD", ElfImage.Build(osAbi: 9, noteName: null), "(freebsd)" },
        { "FreeBSD note", ElfImage.Build(osAbi: 0, "FreeBSD"), "(freebsd)" },
        { "GNU build id only", ElfImage.Build(osAbi: 0, "GNU", noteType: 3), "(unknown)" },
        { "a shell script", "#!/bin/sh\nexec dotnet sasyncd-cs.dll \"$@\"\n"u8.ToArray(), "(not-elf)" },
    };

    [Theory]
    [MemberData(nameof(Launchers))]
    public async Task A_native_launcher_is_accepted_only_when_it_is_an_openbsd_program(string what, byte[] launcher, string? refusal)
    {
        var publish = Publish();
        await File.WriteAllBytesAsync(Path.Combine(publish, "sasyncd-cs"), launcher);
        File.SetUnixFileMode(Path.Combine(publish, "sasyncd-cs"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var stage = Temp("stage");

        var run = await InstallAsync(publish, stage);

        if (refusal is null)
        {
            Assert.True(run.ExitCode == 0, $"{what}: {run.Output}");
            // Kept with the rest, but the daemon still runs through dotnet and the dll.
            Assert.Contains("dotnet /usr/local/libexec/sasyncd-cs/sasyncd-cs.dll", run.Stdout);
        }
        else
        {
            Assert.True(run.ExitCode == 1, $"{what}: {run.Output}");
            Assert.Contains(refusal, run.Stderr);
            Assert.Empty(FilesUnder(stage));
        }
    }

    [Fact]
    public async Task A_windows_launcher_is_refused()
    {
        var publish = Publish();
        await File.WriteAllBytesAsync(Path.Combine(publish, "sasyncd-cs.exe"), "MZ"u8.ToArray());

        var run = await InstallAsync(publish, Temp("stage"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Windows launcher", run.Stderr);
    }

    [Fact]
    public async Task The_dll_publish_installs_and_nothing_written_names_a_path_of_the_build_host()
    {
        var publish = Publish();
        var stage = Temp("stage");

        var run = await InstallAsync(publish, stage);

        Assert.True(run.ExitCode == 0, run.Output);
        var files = FilesUnder(stage);
        Assert.Contains("etc/rc.d/sasyncd_cs", files);
        Assert.Contains("usr/local/sbin/sasyncd-cs", files);
        Assert.Contains("usr/local/man/man8/sasyncd-cs.8", files);
        Assert.Contains("usr/local/libexec/sasyncd-cs/sasyncd-cs.dll", files);
        Assert.Contains("usr/local/libexec/sasyncd-cs/sasyncd-cs.runtimeconfig.json", files);
        Assert.DoesNotContain("usr/local/libexec/sasyncd-cs/sasyncd-cs", files);

        var rc = await File.ReadAllTextAsync(Path.Combine(stage, "etc/rc.d/sasyncd_cs"));
        var command = await File.ReadAllTextAsync(Path.Combine(stage, "usr/local/sbin/sasyncd-cs"));
        foreach (var text in new[] { rc, command })
        {
            Assert.Contains("sasyncd_cs_dotnet=/usr/local/bin/dotnet\n", text);
            Assert.Contains("sasyncd_cs_dll=/usr/local/libexec/sasyncd-cs/sasyncd-cs.dll\n", text);
            Assert.Contains("DOTNET_ROLL_FORWARD_TO_PRERELEASE", text);
            foreach (var hostPath in BuildHostPaths(stage, publish))
            {
                // As a whole path: /bin/dotnet is a build-host path, /usr/local/bin/dotnet the gateway's.
                Assert.False(
                    System.Text.RegularExpressions.Regex.IsMatch(text, $"(?<![\\w./-]){System.Text.RegularExpressions.Regex.Escape(hostPath)}(?![\\w.-])"),
                    $"{hostPath} appears in:\n{text}");
            }
        }

        Assert.Contains("daemon=\"${sasyncd_cs_dotnet} ${sasyncd_cs_dll}\"", rc);
    }

    [Fact]
    public async Task The_dotnet_the_operator_names_for_the_gateway_is_written_as_given()
    {
        var stage = Temp("stage");

        var run = await InstallAsync(Publish(), stage, dotnet: "/opt/dotnet-11/dotnet");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("sasyncd_cs_dotnet=/opt/dotnet-11/dotnet\n", await File.ReadAllTextAsync(Path.Combine(stage, "etc/rc.d/sasyncd_cs")));
        Assert.Contains("sasyncd_cs_dotnet=/opt/dotnet-11/dotnet\n", await File.ReadAllTextAsync(Path.Combine(stage, "usr/local/sbin/sasyncd-cs")));
    }

    [Fact]
    public async Task Uninstall_removes_every_file_install_put_there_and_keeps_sasyncd_conf()
    {
        var stage = Temp("stage");
        Directory.CreateDirectory(Path.Combine(stage, "etc"));
        await File.WriteAllTextAsync(Path.Combine(stage, "etc/sasyncd.conf"), "interface carp0\n");
        Assert.True((await InstallAsync(Publish(), stage)).ExitCode == 0);
        // A second install replaces the first without leaving anything of it behind.
        Assert.True((await InstallAsync(Publish(), stage)).ExitCode == 0);
        Assert.True(FilesUnder(stage).Length > 10);

        var run = await ShAsync(Script("uninstall.sh"), new Dictionary<string, string?> { ["DESTDIR"] = stage, ["PREFIX"] = null, ["SYSCONFDIR"] = null });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["etc/sasyncd.conf"], FilesUnder(stage));
        Assert.False(Directory.Exists(Path.Combine(stage, "usr/local/libexec/sasyncd-cs")));
        Assert.Equal("interface carp0\n", await File.ReadAllTextAsync(Path.Combine(stage, "etc/sasyncd.conf")));

        var again = await ShAsync(Script("uninstall.sh"), new Dictionary<string, string?> { ["DESTDIR"] = stage });
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("nothing installed", again.Stderr);
    }

    [Fact]
    public async Task The_rc_script_starts_the_daemon_as_the_process_its_pexp_matches_and_configtest_runs_it()
    {
        // Installed for real (no DESTDIR) under a temporary PREFIX and SYSCONFDIR, so the daemon can run
        // from where the rc.d script says it is; DOTNET is this machine's, as an operator would name it.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!;
        var environment = new Dictionary<string, string?>
        {
            ["DESTDIR"] = null,
            ["PREFIX"] = Temp("usr/local"),
            ["SYSCONFDIR"] = Temp("etc"),
            ["DOTNET"] = dotnet,
        };
        var install = await ShAsync(Script("install.sh"), environment, Publish());
        Assert.True(install.ExitCode == 0, install.Output);

        // OpenBSD's rc.subr as far as this test needs it: daemon_flags from <name>_flags, pexp built the
        // same way, rc_exec without su(1), and the two verbs run here.
        var subr = Temp("rc.subr");
        await File.WriteAllTextAsync(subr, """
            _name=sasyncd_cs
            eval _rcflags=\${${_name}_flags}
            [ -z "${_rcflags}" ] || daemon_flags=${_rcflags}
            pexp="${daemon}${daemon_flags:+ ${daemon_flags}}"
            rc_exec() { sh -c "$*" </dev/null >>"$SASYNC_TEST_LOG" 2>&1; }
            rc_cmd() {
                case $1 in
                start) rc_pre && rc_start >/dev/null 2>&1 ;;
                configtest) rc_configtest ;;
                pexp) printf '%s\n' "$pexp" ;;
                esac
            }

            """);
        var installed = await File.ReadAllTextAsync(Temp("etc/rc.d/sasyncd_cs"));
        Assert.Equal(2, installed.Split("\n. /etc/rc.d/rc.subr\n").Length);
        var rc = Temp("sasyncd_cs");
        await File.WriteAllTextAsync(rc, installed.Replace("\n. /etc/rc.d/rc.subr\n", $"\n. {subr}\n", StringComparison.Ordinal));

        var config = Temp("sasyncd.conf");
        await File.WriteAllTextAsync(config, $"listen on 127.0.0.1 port {FreePort()}\ninterface carp0\nsharedkey 0x00112233445566778899aabbccddeeff\n");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var flags = new Dictionary<string, string?>
        {
            ["sasyncd_cs_flags"] = $"-d --platform sim --control {Temp("control.sock")} -c {config}",
            ["SASYNC_TEST_LOG"] = Temp("daemon.log"),
        };

        var pexp = (await ShAsync(rc, flags, "pexp")).Stdout.TrimEnd('\n');
        // The privileged process of privilege separation by its title, or a daemon without it by its command line.
        Assert.Equal($"sasyncd-cs: \\[priv\\]|{dotnet} {Temp("usr/local")}/libexec/sasyncd-cs/sasyncd-cs.dll {flags["sasyncd_cs_flags"]}", pexp);

        // The installed command runs the same program through the same dotnet.
        var command = await ProcessRun.RunAsync(Temp("usr/local/sbin/sasyncd-cs"), ["-n", "-c", config], Limit);
        Assert.True(command.ExitCode == 0, command.Output);
        Assert.Contains("configuration OK", command.Stderr + command.Stdout);

        var configtest = await ShAsync(rc, flags, "configtest");
        Assert.True(configtest.ExitCode == 0, configtest.Output);
        Assert.Contains("configuration OK", configtest.Stderr + configtest.Stdout);

        int? pid = null;
        try
        {
            // As rcctl runs it: no pipe of ours may reach the daemon, or reading its output would wait for the daemon's end.
            var start = await ProcessRun.RunAsync("sh", ["-c", "exec sh \"$0\" start </dev/null >>\"$SASYNC_TEST_LOG\" 2>&1", rc], Limit, flags);
            Assert.True(start.ExitCode == 0, File.ReadAllText(Temp("daemon.log")));
            await Support.Eventually.TrueAsync(async () => (pid = await PgrepAsync(pexp)) is not null, $"pgrep -xf finds the daemon by its pexp; log:\n{File.ReadAllText(Temp("daemon.log"))}");
            using var daemon = System.Diagnostics.Process.GetProcessById(pid!.Value);
            Assert.False(daemon.HasExited);
        }
        finally
        {
            if (pid is not null || (pid = await PgrepAsync(pexp)) is not null)
            {
                using var daemon = System.Diagnostics.Process.GetProcessById(pid.Value);
                daemon.Kill();
                await daemon.WaitForExitAsync();
            }
        }

        Assert.Null(await PgrepAsync(pexp));
    }

    [Fact]
    public void The_published_runtimeconfig_rolls_forward_to_the_next_major_only_when_net10_is_missing()
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "sasyncd-cs.runtimeconfig.json")));
        var options = config.RootElement.GetProperty("runtimeOptions");

        Assert.Equal("Major", options.GetProperty("rollForward").GetString());
        Assert.Equal("Microsoft.NETCore.App", options.GetProperty("framework").GetProperty("name").GetString());
        Assert.StartsWith("10.", options.GetProperty("framework").GetProperty("version").GetString(), StringComparison.Ordinal);
    }

    private static async Task<int?> PgrepAsync(string pexp)
    {
        var run = await ProcessRun.RunAsync("pgrep", ["-xf", pexp], Limit);
        return run.ExitCode == 0 ? int.Parse(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()) : null;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Paths only the machine that ran install.sh has: staging root, publish folder, checkout, and its own dotnet.</summary>
    private static IEnumerable<string> BuildHostPaths(string stage, string publish)
    {
        yield return stage;
        yield return publish;
        yield return RepositoryTree.Root;
        yield return AppContext.BaseDirectory.TrimEnd('/');
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "dotnet");
            if (File.Exists(candidate) && candidate != "/usr/local/bin/dotnet")
            {
                yield return candidate;
                yield return new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
            }
        }

        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath;
        if (host is not null && host != "/usr/local/bin/dotnet")
        {
            yield return host;
        }
    }
}
