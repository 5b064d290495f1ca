namespace Sasync.Core.PfKey;

/// <summary><c>sadb_ident_type</c> values (SADB_IDENTTYPE_*, pfkeyv2.h 1.95).</summary>
public enum SadbIdentityType : ushort
{
    Reserved = 0,
    Prefix = 1,
    Fqdn = 2,
    UserFqdn = 3,
    Asn1Dn = 4,
}
