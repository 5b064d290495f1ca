using System.Security.Cryptography;

namespace Sasync.Core.Wire.Extended;

/// <summary>
/// Picks the AES-GCM implementation that <see cref="ExtendedChannelOptions.Aead"/> asks for. Automatic takes
/// <see cref="VectorizedAesGcmCipher"/> where the CPU has AES-NI and PCLMULQDQ: on 208-byte frames it seals about three
/// and opens about 3.3 times as many frames per CPU second as BouncyCastle's GcmBlockCipher (which allocates ~0.5 KB a
/// frame), and the BCL's AesGcm over OpenSSL 3 is slower still there (its per-call set-up dominates small frames).
/// Elsewhere what was taken before it: BouncyCastle's where its AES and GHASH are accelerated anyway, else the BCL's
/// where the platform has it, else BouncyCastle's.
/// </summary>
internal static class AesGcmCiphers
{
    /// <summary>A cipher under <paramref name="key"/> (32 bytes).</summary>
    /// <exception cref="PlatformNotSupportedException">An implementation was asked for that this machine cannot run.</exception>
    public static IAesGcmCipher Create(ExtendedAeadProvider provider, ReadOnlySpan<byte> key) => Resolve(provider) switch
    {
        ExtendedAeadProvider.Vectorized => new VectorizedAesGcmCipher(key),
        ExtendedAeadProvider.Bcl => AesGcm.IsSupported
            ? new BclAesGcmCipher(key)
            : throw new PlatformNotSupportedException("AesGcm is not supported on this platform"),
        _ => new BouncyCastleAesGcmCipher(key),
    };

    /// <summary>Which implementation <paramref name="provider"/> stands for on this machine (Automatic resolved, others as they are).</summary>
    public static ExtendedAeadProvider Resolve(ExtendedAeadProvider provider) => provider switch
    {
        ExtendedAeadProvider.Automatic when VectorizedAesGcmCipher.IsSupported => ExtendedAeadProvider.Vectorized,
        ExtendedAeadProvider.Automatic => BouncyCastleIsAccelerated || !AesGcm.IsSupported ? ExtendedAeadProvider.BouncyCastle : ExtendedAeadProvider.Bcl,
        _ => provider,
    };

    // Before the vectorized cipher, BouncyCastle's GCM outran the BCL's where its AES and GHASH ran on AES-NI and PCLMULQDQ.
    private static bool BouncyCastleIsAccelerated =>
        Org.BouncyCastle.Crypto.AesUtilities.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported;
}
