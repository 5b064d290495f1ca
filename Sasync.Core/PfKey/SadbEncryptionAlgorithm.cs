namespace Sasync.Core.PfKey;

/// <summary>
/// <c>sadb_sa_encrypt</c> values (SADB_EALG_* / SADB_X_EALG_*, pfkeyv2.h 1.95). For an IPCOMP SA
/// the same byte holds a SADB_X_CALG_* value.
/// </summary>
public enum SadbEncryptionAlgorithm : byte
{
    /// <summary>SADB_EALG_NONE: no encryption.</summary>
    None = 0,

    /// <summary>SADB_EALG_3DESCBC.</summary>
    TripleDesCbc = 3,

    /// <summary>SADB_X_EALG_CAST (CAST-128 CBC).</summary>
    XCast = 6,

    /// <summary>SADB_X_EALG_BLF (Blowfish CBC).</summary>
    XBlowfish = 7,

    /// <summary>SADB_EALG_NULL: ESP without encryption (RFC 2410).</summary>
    Null = 11,

    /// <summary>SADB_X_EALG_AES (AES-CBC).</summary>
    XAes = 12,

    /// <summary>SADB_X_EALG_AESCTR.</summary>
    XAesCtr = 13,

    /// <summary>SADB_X_EALG_AESGCM8 (8-byte ICV).</summary>
    XAesGcm8 = 18,

    /// <summary>SADB_X_EALG_AESGCM12 (12-byte ICV).</summary>
    XAesGcm12 = 19,

    /// <summary>SADB_X_EALG_AESGCM16 (16-byte ICV).</summary>
    XAesGcm16 = 20,

    /// <summary>SADB_X_EALG_AESGMAC: authentication only, no encryption.</summary>
    XAesGmac = 21,

    /// <summary>SADB_X_EALG_CHACHA20POLY1305.</summary>
    XChacha20Poly1305 = 22,
}
