namespace Sasync.Core.PfKey;

/// <summary>
/// The pfkeyv2.h names of PF_KEY numbers without their SADB_ prefixes, for JSON, logs and command
/// lines: message types keep the X_ (<c>X_ADDFLOW</c>), SA types and extension types drop it
/// (<c>ESP</c>, <c>IPCOMP</c>, <c>SRC_FLOW</c>, <c>MTU</c>).
/// </summary>
internal static class PfKeyNames
{
    private static readonly string?[] MessageTypes =
    [
        "RESERVED", "GETSPI", "UPDATE", "ADD", "DELETE", "GET", "ACQUIRE", "REGISTER", "EXPIRE", "FLUSH", "DUMP",
        "X_PROMISC", "X_ADDFLOW", "X_DELFLOW", "X_GRPSPIS", "X_ASKPOLICY", "X_SPDDUMP",
    ];

    private static readonly string?[] SaTypes =
    [
        "UNSPEC", "AH", "ESP", "RSVP", "OSPFV2", "RIPV2", "MIP", "IPIP", "TCPSIGNATURE", "IPCOMP",
    ];

    private static readonly string?[] ExtensionTypes =
    [
        "RESERVED", "SA", "LIFETIME_CURRENT", "LIFETIME_HARD", "LIFETIME_SOFT", "ADDRESS_SRC", "ADDRESS_DST",
        "ADDRESS_PROXY", "KEY_AUTH", "KEY_ENCRYPT", "IDENTITY_SRC", "IDENTITY_DST", "SENSITIVITY", "PROPOSAL",
        "SUPPORTED_AUTH", "SUPPORTED_ENCRYPT", "SPIRANGE", "SRC_MASK", "DST_MASK", "PROTOCOL", "FLOW_TYPE",
        "SRC_FLOW", "DST_FLOW", "SA2", "DST2", "POLICY", "LOCAL_CREDENTIALS", "REMOTE_CREDENTIALS", "LOCAL_AUTH",
        "REMOTE_AUTH", "SUPPORTED_COMP", "UDPENCAP", "LIFETIME_LASTUSE", "TAG", "TAP", "SATYPE2", "COUNTER",
        "RDOMAIN", "MTU", "REPLAY", "IFACE",
    ];

    private static readonly string?[] SaStates = ["LARVAL", "MATURE", "DYING", "DEAD"];

    private static readonly string?[] FlowTypes = [null, "USE", "ACQUIRE", "REQUIRE", "BYPASS", "DENY", "DONTACQ"];

    private static readonly string?[] IdentityTypes = ["RESERVED", "PREFIX", "FQDN", "USERFQDN", "ASN1_DN"];

    private static readonly string?[] Directions = [null, "IN", "OUT"];

    private static readonly string?[] AuthAlgorithms =
    [
        "NONE", null, "MD5HMAC", "SHA1HMAC", null, "SHA2_256", "SHA2_384", "SHA2_512", "RIPEMD160HMAC",
        "AES128GMAC", "AES192GMAC", "AES256GMAC", "CHACHA20POLY1305",
    ];

    private static readonly string?[] EncryptionAlgorithms =
    [
        "NONE", null, null, "3DESCBC", null, null, "CAST", "BLF", null, null, null, "NULL", "AES", "AESCTR",
        null, null, null, null, "AESGCM8", "AESGCM12", "AESGCM16", "AESGMAC", "CHACHA20POLY1305",
    ];

    private static readonly string?[] CompressionAlgorithms = ["NONE", "OUI", "DEFLATE"];

    /// <summary>"ADD", "X_ADDFLOW", ...; null for a number pfkeyv2.h does not define.</summary>
    public static string? MessageTypeName(SadbMessageType type) => Lookup(MessageTypes, (int)type);

    /// <summary>"ESP", "IPCOMP", "UNSPEC", ...; null for a number pfkeyv2.h does not define.</summary>
    public static string? SaTypeName(SadbSaType type) => Lookup(SaTypes, (int)type);

    /// <summary>"SA", "ADDRESS_SRC", "SRC_FLOW", "MTU", ...; "UNKNOWN" for a number pfkeyv2.h does not define.</summary>
    public static string ExtensionTypeName(SadbExtensionType type) => Lookup(ExtensionTypes, (int)type) ?? "UNKNOWN";

    public static bool IsDefined(SadbExtensionType type) => Lookup(ExtensionTypes, (int)type) is not null;

    public static string? SaStateName(SadbSaState state) => Lookup(SaStates, (int)state);

    public static string? FlowTypeName(SadbFlowType type) => Lookup(FlowTypes, (int)type);

    public static string? IdentityTypeName(SadbIdentityType type) => Lookup(IdentityTypes, (int)type);

    public static string? DirectionName(SadbDirection direction) => Lookup(Directions, (int)direction);

    public static string? AuthAlgorithmName(SadbAuthAlgorithm algorithm) => Lookup(AuthAlgorithms, (int)algorithm);

    public static string? EncryptionAlgorithmName(SadbEncryptionAlgorithm algorithm) => Lookup(EncryptionAlgorithms, (int)algorithm);

    /// <summary>SADB_X_CALG_* names, for the encrypt byte of an IPCOMP SA.</summary>
    public static string? CompressionAlgorithmName(byte algorithm) => Lookup(CompressionAlgorithms, algorithm);

    public static bool TryParseMessageType(string name, out SadbMessageType type) => TryFind(MessageTypes, name, i => (SadbMessageType)i, out type);

    public static bool TryParseSaType(string name, out SadbSaType type) => TryFind(SaTypes, name, i => (SadbSaType)i, out type);

    public static bool TryParseExtensionType(string name, out SadbExtensionType type) => TryFind(ExtensionTypes, name, i => (SadbExtensionType)i, out type);

    public static bool TryParseFlowType(string name, out SadbFlowType type) => TryFind(FlowTypes, name, i => (SadbFlowType)i, out type);

    private static string? Lookup(string?[] names, int value) => (uint)value < (uint)names.Length ? names[value] : null;

    /// <summary>Finds the number named <paramref name="name"/> (case-insensitive).</summary>
    private static bool TryFind<T>(string?[] names, string name, Func<int, T> toEnum, out T value)
        where T : struct, Enum
    {
        var index = Array.FindIndex(names, n => n is not null && string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        value = toEnum(Math.Max(index, 0));
        return index >= 0;
    }
}
