using Microsoft.Extensions.Logging;
using Sasync.Platform.OpenBSD.Logging;

namespace Sasync.Tests.Platform.OpenBSD;

public sealed class StderrLoggerProviderTests
{
    [Fact]
    public void Lines_are_plain_like_an_openbsd_daemon_s()
    {
        using var output = new StringWriter();
        using (var provider = new StderrLoggerProvider(output, colour: false))
        {
            var logger = provider.CreateLogger("sasyncd.net");
            logger.Log(LogLevel.Information, new EventId(1234, "Started"), "peer 127.0.0.2: connected", null, (s, _) => s);
            logger.Log(LogLevel.Error, new EventId(7), "cannot open", new IOException("no such device"), (s, _) => s);
        }

        Assert.Equal("sasyncd-cs: peer 127.0.0.2: connected\nsasyncd-cs: cannot open: no such device\n", output.ToString());
    }

    [Fact]
    public void Colour_marks_errors_and_warnings_only_when_allowed()
    {
        using var output = new StringWriter();
        using (var provider = new StderrLoggerProvider(output, colour: true))
        {
            var logger = provider.CreateLogger("sasyncd");
            logger.Log(LogLevel.Error, default, "bad", null, (s, _) => s);
            logger.Log(LogLevel.Warning, default, "odd", null, (s, _) => s);
            logger.Log(LogLevel.Information, default, "fine", null, (s, _) => s);
        }

        Assert.Equal("\u001b[31msasyncd-cs: bad\u001b[0m\n\u001b[33msasyncd-cs: odd\u001b[0m\nsasyncd-cs: fine\n", output.ToString());
    }

    [Theory]
    [InlineData(true, null, true)]
    [InlineData(true, "", true)]
    [InlineData(true, "1", false)]
    [InlineData(false, null, false)]
    public void Colour_needs_a_terminal_and_no_NO_COLOR(bool terminal, string? noColor, bool expected) =>
        Assert.Equal(expected, TerminalColour.Enabled(terminal, noColor));

    [Fact]
    public async Task Lines_from_many_threads_stay_whole_and_each_thread_s_stay_in_order()
    {
        using var output = new StringWriter();
        using (var provider = new StderrLoggerProvider(output, colour: false))
        {
            var logger = provider.CreateLogger("sasyncd");
            await Task.WhenAll(Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
            {
                for (var i = 0; i < 500; i++)
                {
                    logger.Log(LogLevel.Information, default, $"thread {thread} line {i}", null, (s, _) => s);
                }
            })));
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, lines.Length);
        for (var thread = 0; thread < 4; thread++)
        {
            var mine = lines.Where(l => l.StartsWith($"sasyncd-cs: thread {thread} ", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 500).Select(i => $"sasyncd-cs: thread {thread} line {i}"), mine);
        }
    }
}
