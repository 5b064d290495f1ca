using System.Security.Cryptography;

namespace Sasync.Core.Wire.Extended;

/// <summary>Picks the AES-GCM implementation that <see cref="ExtendedChannelOptions.Aead"/> asks for.</summary>
internal static class AesGcmCiphers
{
    /// <summary>A cipher under <paramref name="key"/> (32 bytes).</summary>
    /// <exception cref="PlatformNotSupportedException">The BCL's AesGcm was asked for where the platform has none.</exception>
    public static IAesGcmCipher Create(ExtendedAeadProvider provider, ReadOnlySpan<byte> key) => provider switch
    {
        ExtendedAeadProvider.BouncyCastle => new BouncyCastleAesGcmCipher(key),
        ExtendedAeadProvider.Bcl => AesGcm.IsSupported
            ? new BclAesGcmCipher(key)
            : throw new PlatformNotSupportedException("AesGcm is not supported on this platform"),
        _ => AesGcm.IsSupported ? new BclAesGcmCipher(key) : new BouncyCastleAesGcmCipher(key),
    };
}
