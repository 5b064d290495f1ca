namespace Sasync.Core.PfKey;

/// <summary><c>sadb_sa_auth</c> values (SADB_AALG_* / SADB_X_AALG_*, pfkeyv2.h 1.95).</summary>
public enum SadbAuthAlgorithm : byte
{
    /// <summary>SADB_AALG_NONE: no authentication.</summary>
    None = 0,

    /// <summary>SADB_AALG_MD5HMAC.</summary>
    Md5Hmac = 2,

    /// <summary>SADB_AALG_SHA1HMAC.</summary>
    Sha1Hmac = 3,

    /// <summary>SADB_X_AALG_SHA2_256 (HMAC).</summary>
    XSha2_256 = 5,

    /// <summary>SADB_X_AALG_SHA2_384 (HMAC).</summary>
    XSha2_384 = 6,

    /// <summary>SADB_X_AALG_SHA2_512 (HMAC).</summary>
    XSha2_512 = 7,

    /// <summary>SADB_X_AALG_RIPEMD160HMAC.</summary>
    XRipemd160Hmac = 8,

    /// <summary>SADB_X_AALG_AES128GMAC: the authentication half of AES-128-GCM/GMAC.</summary>
    XAes128Gmac = 9,

    /// <summary>SADB_X_AALG_AES192GMAC: the authentication half of AES-192-GCM/GMAC.</summary>
    XAes192Gmac = 10,

    /// <summary>SADB_X_AALG_AES256GMAC: the authentication half of AES-256-GCM/GMAC.</summary>
    XAes256Gmac = 11,

    /// <summary>SADB_X_AALG_CHACHA20POLY1305: the authentication half of ChaCha20-Poly1305.</summary>
    XChacha20Poly1305 = 12,
}
