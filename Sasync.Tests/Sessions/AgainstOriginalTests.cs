namespace Sasync.Tests.Sessions;

/// <summary>
/// The session rules against a model of the original sasyncd, over many seeded interleavings of dials,
/// accepts, reads, restarts on either side and pauses: we never close the connection the original reads,
/// and once things settle we talk on exactly that one.
/// </summary>
public class AgainstOriginalTests
{
    private const int Seeds = 500;

    [Fact]
    public void Our_carrier_ends_as_the_originals_socket_and_we_never_close_that_socket()
    {
        List<string> failures = [];
        for (var seed = 0; seed < Seeds; seed++)
        {
            var run = new AgainstOriginalHarness(seed);
            for (var i = 0; i < 300; i++)
            {
                run.Step(faults: true);
            }

            var settled = SettleAndHold(run);
            if (run.Violations.Count > 0 || !settled)
            {
                failures.Add(run.Violations.Count > 0 ? run.Violations[0] : $"seed {seed}: never settled; carrier {run.Rules.CarrierId}, original's socket {run.Original.Socket}");
                if (failures.Count == 1)
                {
                    failures.Add(string.Join('\n', run.Trace.TakeLast(60)));
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Without_faults_one_connection_carries_from_the_start()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var run = new AgainstOriginalHarness(seed);
            Assert.True(SettleAndHold(run), $"seed {seed}:\n{string.Join('\n', run.Trace)}");
            Assert.Empty(run.Violations);
            Assert.Equal(0, run.Warnings);
        }
    }

    /// <summary>Runs without faults until settled, then 12 virtual seconds more (past the handshake timeout and the stable period), and checks it still is.</summary>
    private static bool SettleAndHold(AgainstOriginalHarness run)
    {
        var steps = 0;
        while (!run.Settled && steps++ < 20_000)
        {
            run.Step(faults: false);
        }

        if (!run.Settled)
        {
            return false;
        }

        var until = run.Time.GetUtcNow() + TimeSpan.FromSeconds(12);
        while (run.Time.GetUtcNow() < until)
        {
            run.Step(faults: false);
        }

        // Quiet again: no connection gets more than a few frames in flight.
        for (var i = 0; i < 200 && !run.Settled; i++)
        {
            run.Step(faults: false);
        }

        return run.Settled && run.Violations.Count == 0;
    }
}
