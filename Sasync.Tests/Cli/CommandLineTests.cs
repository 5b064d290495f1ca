using System.CommandLine;
using System.Net.Sockets;
using Sasync.Cli;
using Sasync.Cli.Commands;

namespace Sasync.Tests.Cli;

/// <summary>What every verb shares: --help and -h, --version, unknown options, and the verb tree itself.</summary>
public sealed class CommandLineTests
{
    /// <summary>Every verb path of the command line, from the tree the program runs.</summary>
    public static TheoryData<string> Verbs() => new(VerbPaths());

    private static List<string> VerbPaths()
    {
        var data = new List<string>();
        void Walk(Command command, string path)
        {
            foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
            {
                var name = (path + " " + sub.Name).Trim();
                data.Add(name);
                Walk(sub, name);
            }
        }

        Walk(CommandLine.Build(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null)), "");
        return data;
    }

    [Fact]
    public void The_tree_has_every_documented_verb()
    {
        var verbs = VerbPaths();
        string[] documented =
        [
            "check", "status", "sim", "sim carp", "sim inject", "sim dump", "sim add-sa", "sim add-flow",
            "decode", "decode frame", "decode pfkey", "bench", "bench codec", "bench sync", "bench config", "bench privsep", "bench start", "demo", "simulate",
        ];
        Assert.Equal(documented.Order(), verbs.Order());
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Help_after_any_verb_exits_0_with_its_usage(string verb)
    {
        foreach (var flag in new[] { "--help", "-h" })
        {
            var run = await CliRun.RunAsync([.. verb.Split(' '), flag]);

            Assert.Equal(0, run.ExitCode);
            Assert.Contains($"sasyncd-cs {verb}", run.Stdout, StringComparison.Ordinal);
            Assert.Contains("Usage:", run.Stdout, StringComparison.Ordinal);
            Assert.Equal("", run.Stderr);
        }
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task An_unknown_option_after_any_verb_is_named_and_exits_1(string verb)
    {
        var run = await CliRun.RunAsync([.. verb.Split(' '), "--foo"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith($"sasyncd-cs {verb}: unknown option '--foo'\n", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith($"run 'sasyncd-cs {verb} --help' for its options\n", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_program_and_its_version_and_exits_0()
    {
        var run = await CliRun.RunAsync("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"sasyncd-cs {CommandLine.Version}\n", run.Stdout.ReplaceLineEndings("\n"));
        Assert.Matches(@"^\d+\.\d+\.\d+", CommandLine.Version);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_without_a_verb_lists_the_daemon_flags_and_the_verbs(string flag)
    {
        var run = await CliRun.RunAsync(flag);

        Assert.Equal(0, run.ExitCode);
        foreach (var word in new[] { "-d", "-n", "-v", "-c <config-file>", "--platform", "check", "status", "sim", "decode", "bench", "demo" })
        {
            Assert.Contains(word, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_help_verb_still_prints_the_synopsis()
    {
        var run = await CliRun.RunAsync("help");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(CommandLine.Usage, run.Stdout);
    }

    [Theory]
    [InlineData("--foo")]
    [InlineData("-x")]
    public async Task An_unknown_daemon_flag_is_named_with_the_original_usage_and_exits_1(string flag)
    {
        var run = await CliRun.RunAsync("-d", flag);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"sasyncd-cs: unknown option '{flag}'\n{CommandLine.Usage}", run.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Status_without_a_daemon_says_so()
    {
        var directory = Directory.CreateTempSubdirectory("sasync-cli-").FullName;
        try
        {
            var missing = Path.Combine(directory, "missing.sock");
            var run = await CliRun.RunAsync("status", "--control", missing);
            Assert.Equal(1, run.ExitCode);
            Assert.Equal($"sasyncd-cs: no daemon listening at {missing} (is it running?)\n", run.Stderr.ReplaceLineEndings("\n"));

            // A socket file left behind by a daemon that is gone: nobody accepts.
            var stale = Path.Combine(directory, "stale.sock");
            using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                socket.Bind(new UnixDomainSocketEndPoint(stale));
            }

            run = await CliRun.RunAsync("status", "--json", "--control", stale);
            Assert.Equal(1, run.ExitCode);
            Assert.Equal($"sasyncd-cs: no daemon listening at {stale} (is it running?)\n", run.Stderr.ReplaceLineEndings("\n"));
            Assert.Equal("", run.Stdout);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
