using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Sasync.Core.Hosting;

namespace Sasync.Cli.Daemon;

/// <summary>
/// SIGHUP re-reads the configuration, as in the original: the signal only queues a reload (one at most,
/// more signals meanwhile fold into it) and a loop runs the reload: the daemon's is
/// <see cref="SyncNodeService.ReloadAsync(CancellationToken)"/>, which keeps the running configuration when the
/// file has errors; the network process of privilege separation reads the file through the privileged one.
/// Registered before the node, so the signal is caught from before the node answers on its control socket
/// until after it has stopped.
/// </summary>
internal sealed class ReloadOnHangupService(Func<CancellationToken, Task> reload) : IHostedService, IDisposable
{
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private PosixSignalRegistration? _hangup;
    private Task _loop = Task.CompletedTask;

    /// <summary>The daemon's reload: the node re-reads its configuration file.</summary>
    public ReloadOnHangupService(SyncNodeService node)
        : this(cancellationToken => node.ReloadAsync(cancellationToken))
    {
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            // Not the default action (terminate): a hangup asks for a reload.
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
                try
                {
                    await reload(cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException)
                {
                    // The node is not running (its start failed, or it is stopping): nothing to reload.
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
