namespace Sasync.Core.Wire.Extended;

/// <summary>Which AES-256-GCM implementation seals and opens extended frames. The bytes are the same either way.</summary>
public enum ExtendedAeadProvider
{
    /// <summary>The BCL's <see cref="System.Security.Cryptography.AesGcm"/> when the platform supports it, else BouncyCastle.</summary>
    Automatic = 0,

    /// <summary>The BCL's AesGcm (OpenSSL on Linux, CNG on Windows); refused where it is not supported.</summary>
    Bcl,

    /// <summary>BouncyCastle's managed GCM over its AES engine: works everywhere.</summary>
    BouncyCastle,
}
