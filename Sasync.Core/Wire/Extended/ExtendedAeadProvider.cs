namespace Sasync.Core.Wire.Extended;

/// <summary>Which AES-256-GCM implementation seals and opens extended frames. The bytes are the same either way.</summary>
public enum ExtendedAeadProvider
{
    /// <summary>
    /// The faster on this machine: BouncyCastle's where its AES and GHASH are hardware-accelerated (x86 with AES-NI and
    /// PCLMULQDQ), else the BCL's <see cref="System.Security.Cryptography.AesGcm"/> where the platform has it, else BouncyCastle's.
    /// </summary>
    Automatic = 0,

    /// <summary>The BCL's AesGcm (OpenSSL on Linux, CNG on Windows); refused where it is not supported.</summary>
    Bcl,

    /// <summary>BouncyCastle's managed GCM over its AES engine: works everywhere.</summary>
    BouncyCastle,
}
