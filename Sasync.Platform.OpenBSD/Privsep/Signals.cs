namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>kill(2), to forward SIGTERM, SIGINT and SIGHUP to the network process (the same numbers on OpenBSD and Linux).</summary>
internal static class Signals
{
    public const int Hangup = 1;
    public const int Interrupt = 2;
    public const int Kill = 9;
    public const int Terminate = 15;

    /// <summary>Sends <paramref name="signal"/>; false when the process is gone.</summary>
    public static bool Send(int pid, int signal) => PrivsepNative.kill(pid, signal) == 0;
}
