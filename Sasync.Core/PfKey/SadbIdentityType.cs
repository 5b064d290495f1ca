namespace Sasync.Core.PfKey;

/// <summary><c>sadb_ident_type</c> values (SADB_IDENTTYPE_*, pfkeyv2.h 1.95).</summary>
public enum SadbIdentityType : ushort
{
    /// <summary>SADB_IDENTTYPE_RESERVED: none.</summary>
    Reserved = 0,

    /// <summary>SADB_IDENTTYPE_PREFIX: an address prefix.</summary>
    Prefix = 1,

    /// <summary>SADB_IDENTTYPE_FQDN: a host name.</summary>
    Fqdn = 2,

    /// <summary>SADB_IDENTTYPE_USERFQDN: user@host.</summary>
    UserFqdn = 3,

    /// <summary>SADB_IDENTTYPE_ASN1_DN: an X.500 distinguished name.</summary>
    Asn1Dn = 4,
}
