using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sasync.Core.Hosting;

namespace Sasync.Cli.Daemon;

/// <summary>
/// The daemon gives memory back after a flood (see <see cref="IdleMemoryTrimmer"/>). Only the daemon: a library
/// must not run collections in a program that embeds it.
/// </summary>
internal sealed class IdleMemoryTrimService(ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private IdleMemoryTrimmer? _trimmer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _trimmer ??= new IdleMemoryTrimmer(new IdleMemoryTrimmerOptions(), loggers.CreateLogger("sasyncd.memory"));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _trimmer, null) is { } trimmer)
        {
            await trimmer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
