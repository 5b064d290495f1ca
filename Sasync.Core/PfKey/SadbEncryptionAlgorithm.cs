namespace Sasync.Core.PfKey;

/// <summary>
/// <c>sadb_sa_encrypt</c> values (SADB_EALG_* / SADB_X_EALG_*, pfkeyv2.h 1.95). For an IPCOMP SA
/// the same byte holds a SADB_X_CALG_* value.
/// </summary>
public enum SadbEncryptionAlgorithm : byte
{
    None = 0,
    TripleDesCbc = 3,
    XCast = 6,
    XBlowfish = 7,
    Null = 11,
    XAes = 12,
    XAesCtr = 13,
    XAesGcm8 = 18,
    XAesGcm12 = 19,
    XAesGcm16 = 20,
    XAesGmac = 21,
    XChacha20Poly1305 = 22,
}
