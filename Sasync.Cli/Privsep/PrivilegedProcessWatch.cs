using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sasync.Core.Privsep;

namespace Sasync.Cli.Privsep;

/// <summary>Stops the network process the moment its channel to the privileged process ends: without it, nothing that needs root can be done.</summary>
internal sealed partial class PrivilegedProcessWatch(PrivsepClient client, IHostApplicationLifetime lifetime, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger("sasyncd");
    private int _gone;

    /// <summary>Whether the host stopped because the privileged process went away.</summary>
    public bool PrivilegedProcessGone => Volatile.Read(ref _gone) == 1;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = client.Closed.ContinueWith(
            closed =>
            {
                if (lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    return; // our own stop closed it
                }

                Volatile.Write(ref _gone, 1);
                LogGone(_logger, closed.Result);
                lifetime.StopApplication();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Critical, Message = "the privileged process is gone ({Reason}); stopping")]
    private static partial void LogGone(ILogger logger, string reason);
}
