using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sasync.Core.Hosting;

namespace Sasync.Cli.Privsep;

/// <summary>
/// SIGHUP in the network process (forwarded by the privileged one): the configuration is read through
/// the privileged process, parsed here, and applied as the daemon's reload does; a file with errors
/// keeps the running configuration, with a log line.
/// </summary>
internal sealed class PrivilegedReloadService(SyncNodeService node, ReloadSource source, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger = loggers.CreateLogger("sasyncd");
    private PosixSignalRegistration? _hangup;
    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _requests.Writer.TryWrite(true);
        });
        _loop = ReloadLoopAsync(_stop.Token);
        return Task.CompletedTask;
    }

    private async Task ReloadLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in _requests.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var settings = await NetworkProcess.ReadSettingsAsync(source.Client, source.ConfigPath, _logger, cancellationToken).ConfigureAwait(false);
                if (settings is null)
                {
                    continue;
                }

                try
                {
                    await node.ReloadAsync(settings, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException)
                {
                    // Not running (stopping): nothing to reload.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _hangup?.Dispose();
        _hangup = null;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _hangup?.Dispose();
        _stop.Dispose();
    }
}
