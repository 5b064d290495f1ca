using System.Diagnostics;

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
        var start = ThisProgram.StartInfo();
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
            return Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
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
