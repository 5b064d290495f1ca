using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sasync.Core.Privsep;
using Sasync.Platform.OpenBSD.Privsep;

namespace Sasync.Tests.Privsep;

/// <summary>A privileged server and a network-side client on the two ends of a real socketpair.</summary>
internal sealed class PrivsepChannel : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly NetworkStream _serverStream;

    public PrivsepChannel(RecordingOperations operations)
    {
        Operations = operations;
        var (parent, child) = SocketPair.Create();
        _serverStream = new NetworkStream(parent, ownsSocket: true);
        Server = new PrivilegedServer(operations, NullLogger.Instance);
        Run = Server.RunAsync(_serverStream, _stop.Token);
        Client = new PrivsepClient(new NetworkStream(child, ownsSocket: true));
        Client.Start();
    }

    public RecordingOperations Operations { get; }

    public PrivilegedServer Server { get; }

    public PrivsepClient Client { get; }

    public Task<string?> Run { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Run;
        await _serverStream.DisposeAsync();
        await Client.DisposeAsync();
        _stop.Dispose();
    }
}
