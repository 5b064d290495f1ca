using System.Diagnostics;
using System.Reflection;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>How to start this same program again: its executable, or dotnet(1) with its .dll when that is how it runs.</summary>
internal static class ThisProgram
{
    public static ProcessStartInfo StartInfo()
    {
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

        return start;
    }
}
