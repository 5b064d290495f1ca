using System.Diagnostics;
using System.Reflection;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>
/// Starts the network process: this same program (through dotnet(1) when that is how we run), with
/// the given descriptors inherited. .NET cannot fork, so the child is a fresh process; it keeps
/// the descriptor numbers, and the descriptors go close-on-exec again here once it has started.
/// </summary>
internal static class NetworkProcessLauncher
{
    public static Process Start(IReadOnlyList<string> arguments, IReadOnlyList<int> inherited)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(inherited);
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add("exec");
            // The program's .dll beside its runtime files (not Assembly.Location, which a single-file or AOT build lacks;
            // those never run through dotnet(1) anyway).
            var entry = Assembly.GetEntryAssembly()?.GetName().Name ?? throw new InvalidOperationException("no entry assembly");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, entry + ".dll"));
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing else starts processes in the privileged process, so no other child can take these.
        foreach (var fd in inherited)
        {
            Descriptors.SetCloseOnExec(fd, false);
        }

        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{host} did not start");
        }
        finally
        {
            foreach (var fd in inherited)
            {
                Descriptors.SetCloseOnExec(fd, true);
            }
        }
    }
}
