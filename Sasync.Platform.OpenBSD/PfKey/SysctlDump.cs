using Sasync.Core.Platform;
using Sasync.Platform.OpenBSD.Native;
using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Platform.OpenBSD.PfKey;

/// <summary>
/// Fetches one PF_KEY sysctl dump the way the current sasyncd does: ask for the size estimate,
/// allocate twice that, fetch, and start over on ENOMEM (the tables grew in between). Attempts
/// and size are bounded so a kernel that keeps growing cannot make us loop or allocate forever.
/// </summary>
internal static class SysctlDump
{
    public const int MaxAttempts = 8;
    public const long MaxBytes = 256L * 1024 * 1024;

    public static ReadOnlyMemory<byte> Fetch(INativeCalls native, int operation, CancellationToken cancellationToken)
    {
        var name = PfKeySysctl.Name(operation);
        var what = operation == PfKeySysctl.SadbDump ? "SADB" : "SPD";
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var estimate = native.Sysctl(name, Memory<byte>.Empty);
            if (estimate.IsError)
            {
                throw new KeyEngineException(estimate.Errno, $"{what} dump size: sysctl: {SystemCallException.Describe(estimate.Errno)}");
            }

            if (estimate.Value == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            var size = estimate.Value * 2;
            if (size > MaxBytes)
            {
                throw new KeyEngineException(OpenBsdErrno.ENOMEM, $"{what} dump of {estimate.Value} bytes is larger than the {MaxBytes}-byte limit");
            }

            var buffer = new byte[size];
            var fetched = native.Sysctl(name, buffer);
            if (fetched.Errno == OpenBsdErrno.ENOMEM)
            {
                continue;
            }

            if (fetched.IsError)
            {
                throw new KeyEngineException(fetched.Errno, $"{what} dump: sysctl: {SystemCallException.Describe(fetched.Errno)}");
            }

            return buffer.AsMemory(0, (int)Math.Min(fetched.Value, buffer.Length));
        }

        throw new KeyEngineException(OpenBsdErrno.ENOMEM, $"{what} dump: the table kept outgrowing the buffer ({MaxAttempts} attempts)");
    }
}
