namespace Sasync.Tests.Hosting;

/// <summary>examples/EmbeddedNode, the embedding sample, is built with the tests and does what it says.</summary>
public sealed class EmbeddedNodeSampleTests
{
    [Fact]
    public async Task The_sample_runs_a_master_that_sees_the_sa_its_isakmpd_wrote_and_reads_it_on_the_meter()
    {
        using var output = new StringWriter();
        var exit = await EmbeddedNode.Program.RunAsync(output, CancellationToken.None);
        var lines = output.ToString().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.True(exit == 0, output.ToString());
        Assert.Matches(@"^listening on 127\.0\.0\.1:[1-9][0-9]*$", lines[0]);
        Assert.Contains("runState MASTER, demoted False, SAs in the kernel 1", lines);
        Assert.Contains("kernelMessagesSeen 1", lines);
        Assert.Contains("sasync.kernel.messages.seen 1", lines);
        Assert.Contains("sasync.run_state 2", lines);
        Assert.Equal("stopped", lines[^1]);
    }
}
