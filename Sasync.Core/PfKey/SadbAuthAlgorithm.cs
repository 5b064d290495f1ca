namespace Sasync.Core.PfKey;

/// <summary><c>sadb_sa_auth</c> values (SADB_AALG_* / SADB_X_AALG_*, pfkeyv2.h 1.95).</summary>
public enum SadbAuthAlgorithm : byte
{
    None = 0,
    Md5Hmac = 2,
    Sha1Hmac = 3,
    XSha2_256 = 5,
    XSha2_384 = 6,
    XSha2_512 = 7,
    XRipemd160Hmac = 8,
    XAes128Gmac = 9,
    XAes192Gmac = 10,
    XAes256Gmac = 11,
    XChacha20Poly1305 = 12,
}
