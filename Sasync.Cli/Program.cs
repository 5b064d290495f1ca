namespace Sasync.Cli;

public static class Program
{
    public static Task<int> Main(string[] args) => CommandLine.RunAsync(args, Console.Out, Console.Error, CancellationToken.None, Console.In);
}
