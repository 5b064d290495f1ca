namespace Sasync.Tests.Support;

/// <summary>Waits for a condition that other threads make true; fails the test with a description when it never does.</summary>
public static class Eventually
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task TrueAsync(Func<bool> condition, string description, TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? Patience);
        while (!condition())
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"gave up waiting for: {description}");
            }
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, string description, TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? Patience);
        while (!await condition())
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"gave up waiting for: {description}");
            }
        }
    }
}
