namespace Sasync.Tests.Sessions;

/// <summary>Two sasyncd-cs nodes dialling each other at once and restarting: both end with one and the same connection.</summary>
public class BetweenSasyncdTests
{
    [Fact]
    public void Simultaneous_dials_and_restarts_end_with_one_shared_connection()
    {
        List<string> failures = [];
        for (var seed = 0; seed < 300; seed++)
        {
            var run = new TwoNodesHarness(seed);
            for (var i = 0; i < 200; i++)
            {
                run.Step(faults: true);
            }

            if (!SettleAndHold(run))
            {
                failures.Add($"seed {seed}: low carries {run.Low.Rules.CarrierId} of {run.Low.Rules.OpenConnections}, high {run.High.Rules.CarrierId} of {run.High.Rules.OpenConnections}");
                if (failures.Count == 1)
                {
                    failures.Add(string.Join('\n', run.Trace.TakeLast(50)));
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void When_both_dial_at_once_the_connection_dialled_by_the_lower_address_stays()
    {
        var kept = 0;
        for (var seed = 0; seed < 100; seed++)
        {
            var run = new TwoNodesHarness(seed);
            // Both dial before either accepts.
            run.Low.CompleteDial();
            run.High.CompleteDial();
            Assert.True(SettleAndHold(run), $"seed {seed}:\n{string.Join('\n', run.Trace)}");
            var lowsOwn = run.Low.Rules.CarrierId == 1;
            Assert.True(lowsOwn, $"seed {seed}:\n{string.Join('\n', run.Trace)}");
            kept += lowsOwn ? 1 : 0;
        }

        // The low node dialled connection 1 in every run, and that one is kept in every run.
        Assert.Equal(100, kept);
    }

    private static bool SettleAndHold(TwoNodesHarness run)
    {
        for (var i = 0; i < 20_000 && !run.Settled; i++)
        {
            run.Step(faults: false);
        }

        if (!run.Settled)
        {
            return false;
        }

        var carrier = run.Low.Rules.CarrierId;
        var until = run.Time.GetUtcNow() + TimeSpan.FromSeconds(12);
        while (run.Time.GetUtcNow() < until)
        {
            run.Step(faults: false);
        }

        return run.Settled && run.Low.Rules.CarrierId == carrier;
    }
}
