using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Sasync.Platform.OpenBSD.Privsep;

/// <summary>
/// The network process's unveil(2) and pledge(2) on OpenBSD, applied after the ids are dropped. A violation
/// of pledge is fatal (the kernel kills the process with SIGABRT; the privileged process then gives back its
/// demotion and exits 1, naming the signal); a path outside unveil only fails to open (ENOENT).
/// </summary>
/// <remarks>
/// What each promise is for (facts from kern_pledge.c; none of this has yet run on an OpenBSD host):
/// <list type="bullet">
/// <item><c>stdio</c>: memory, threads, read/write/poll, and reading and writing the PF_KEY socket this process was
/// handed (the kernel has no PF_KEY promise: like iked's ikev2 process, we only use an open one; socket(PF_KEY) is
/// refused, the dumps are the privileged process's sysctl);</item>
/// <item><c>rpath</c>: the runtime loads assemblies and native libraries from its directories after start;</item>
/// <item><c>inet</c>: the peer sessions (accept on the handed listeners, connect to peers, TCP options);</item>
/// <item><c>unix</c>: the channel to the privileged process and the control socket it handed us (accept);</item>
/// <item><c>dns</c>: peer names in sasyncd.conf resolved on a reload;</item>
/// <item><c>prot_exec</c>: the JIT maps the code it compiles executable;</item>
/// <item><c>ps</c>: the runtime's own process figures (<c>status</c>'s rssBytes reads kern.proc for this pid), and the
/// GC's hw.physmem; without it the first <c>status</c> would kill the process;</item>
/// <item><c>vminfo</c>: the GC's memory load (sysconf(_SC_AVPHYS_PAGES) is vm.uvmexp) at every collection.</item>
/// </list>
/// Not promised: <c>proc</c>/<c>exec</c> (no fork, exec or kill of others), <c>id</c>, <c>wpath</c>/<c>cpath</c>
/// (nothing is written to files), <c>route</c>, <c>tty</c>, <c>sendfd</c>/<c>recvfd</c> (the descriptors are inherited,
/// not passed).
/// </remarks>
internal static class OpenBsdRestrictions
{
    public const string Promises = "stdio rpath inet unix dns prot_exec ps vminfo";

    /// <summary>What stays readable: the program, the runtime, and the files name resolution and time zones read.</summary>
    public static IReadOnlyList<string> Readable() =>
    [
        AppContext.BaseDirectory,
        RuntimeEnvironment.GetRuntimeDirectory(),
        "/etc/hosts",
        "/etc/resolv.conf",
        "/etc/localtime",
        "/usr/share/zoneinfo",
        "/dev/urandom",
    ];

    /// <summary>
    /// Loads now what the runtime would load at first use, behind unveil: the crypto library the frames use (SHA-1
    /// through the platform's OpenSSL, AES, the random source), and the console streams (a terminal's state is read
    /// once, by an ioctl that pledge without <c>tty</c> would punish).
    /// </summary>
    public static void LoadLazyParts()
    {
        using (var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1))
        {
            sha1.AppendData([0]);
            sha1.GetHashAndReset();
        }

        using (var aes = Aes.Create())
        {
            aes.Key = new byte[32];
            aes.EncryptCbc(new byte[16], new byte[16], PaddingMode.None);
        }

        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        _ = Console.IsErrorRedirected;
        _ = Console.IsOutputRedirected;
        _ = Console.Error;
        _ = Console.Out;
    }

    /// <summary>unveil(2) of <see cref="Readable"/> (those that exist) read-only, locked, then pledge(2) of <see cref="Promises"/>.</summary>
    public static void Apply()
    {
        foreach (var path in Readable().Where(p => File.Exists(p) || Directory.Exists(p)))
        {
            PrivilegeDrop.Check(PrivsepNative.unveil(path, "r"), $"unveil {path}");
        }

        PrivilegeDrop.Check(PrivsepNative.unveil(null, null), "unveil");
        PrivilegeDrop.Check(PrivsepNative.pledge(Promises, null), "pledge");
    }
}
