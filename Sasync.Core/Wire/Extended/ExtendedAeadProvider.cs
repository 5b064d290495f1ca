namespace Sasync.Core.Wire.Extended;

/// <summary>Which AES-256-GCM implementation seals and opens extended frames. The bytes are the same either way.</summary>
public enum ExtendedAeadProvider
{
    /// <summary>
    /// The fastest on this machine: <see cref="Vectorized"/> where the CPU has AES-NI and PCLMULQDQ, else BouncyCastle's
    /// where its AES and GHASH are accelerated, else the BCL's <see cref="System.Security.Cryptography.AesGcm"/> where the
    /// platform has it, else BouncyCastle's.
    /// </summary>
    Automatic = 0,

    /// <summary>The BCL's AesGcm (OpenSSL on Linux, CNG on Windows); refused where it is not supported.</summary>
    Bcl,

    /// <summary>BouncyCastle's managed GCM over its AES engine: works everywhere.</summary>
    BouncyCastle,

    /// <summary>
    /// sasyncd-cs's own GCM: BouncyCastle's AES-NI engine four counter blocks at a time and a PCLMULQDQ GHASH, allocating
    /// nothing per frame; refused where the CPU lacks either.
    /// </summary>
    Vectorized,
}
