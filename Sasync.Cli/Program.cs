namespace Sasync.Cli;

public static class Program
{
    // A busy node's loops hold pool threads while they have work; with the default minimum (one
    // thread per core) a carp event could wait tens of milliseconds for a free one.
    private const int MinWorkerThreads = 16;

    public static Task<int> Main(string[] args)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, MinWorkerThreads), completionPorts);
        return CommandLine.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
    }
}
