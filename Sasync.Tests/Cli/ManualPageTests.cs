using System.CommandLine;
using System.Diagnostics;
using Sasync.Cli;
using Sasync.Cli.Commands;

namespace Sasync.Tests.Cli;

/// <summary>packaging/openbsd/sasyncd-cs.8: lint-clean, and a SYNOPSIS that names every verb and every option of the program.</summary>
public sealed class ManualPageTests
{
    private static readonly string PagePath = FindPage();

    [MandocFact]
    public async Task Mandoc_lint_reports_nothing_above_style()
    {
        using var mandoc = Process.Start(new ProcessStartInfo("mandoc", ["-Tlint", "-Wwarning", PagePath])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = mandoc.StandardOutput.ReadToEndAsync();
        var errors = mandoc.StandardError.ReadToEndAsync();
        await mandoc.WaitForExitAsync();

        Assert.Equal("", (await output + await errors).Trim());
        Assert.Equal(0, mandoc.ExitCode);
    }

    [Fact]
    public void The_synopsis_names_every_verb_and_every_option()
    {
        var lines = File.ReadAllLines(PagePath);
        var synopsis = lines.SkipWhile(l => l != ".Sh SYNOPSIS").Skip(1).TakeWhile(l => !l.StartsWith(".Sh ", StringComparison.Ordinal)).ToList();
        // One block per ".Nm" line: the daemon form first, then one per verb.
        var blocks = new List<List<string>>();
        foreach (var line in synopsis)
        {
            if (line == ".Nm")
            {
                blocks.Add([]);
            }
            else
            {
                blocks[^1].Add(line);
            }
        }

        var root = CommandLine.Build(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null));
        AssertOptions(root, blocks[0]);
        Assert.Contains(blocks, b => b.Contains(".Fl -version | -help"));

        void Walk(Command command, string path)
        {
            foreach (var verb in command.Subcommands.Where(c => !c.Hidden))
            {
                var name = (path + " " + verb.Name).Trim();
                if (verb.Subcommands.Count == 0)
                {
                    var block = blocks.SingleOrDefault(b => b.Count > 0 && b[0] == ".Cm " + name);
                    Assert.True(block is not null, $"no SYNOPSIS line for '{name}'");
                    AssertOptions(verb, block);
                }

                Walk(verb, name);
            }
        }

        Walk(root, "");
    }

    private static void AssertOptions(Command command, List<string> block)
    {
        foreach (var option in command.Options.Where(o => !o.Hidden && o.Name is not ("--help" or "--version")))
        {
            var flag = option.Name.TrimStart('-');
            var named = option.Name.StartsWith("--", StringComparison.Ordinal)
                ? block.Any(l => l.Contains("Fl -" + flag, StringComparison.Ordinal))
                : block.Any(l => l.Split(' ').SkipWhile(w => w != "Fl").Skip(1).FirstOrDefault() is { } word && word.Contains(flag, StringComparison.Ordinal));
            Assert.True(named, $"'{option.Name}' of '{command.Name}' is not in its SYNOPSIS line");
        }
    }

    private static string FindPage()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "packaging", "openbsd", "sasyncd-cs.8");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("packaging/openbsd/sasyncd-cs.8 not found above the test directory");
    }
}

/// <summary>A fact that runs mandoc(1); skipped, saying how to get it, where it is not installed.</summary>
public sealed class MandocFactAttribute : FactAttribute
{
    public MandocFactAttribute()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(Path.PathSeparator).Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "mandoc"))))
        {
            Skip = "mandoc is not installed (apt-get install mandoc, as .ci/run does): the manual page was not linted";
        }
    }
}
