namespace Sasync.Core.PfKey;

/// <summary>IPSP_DIRECTION_* (netinet/ip_ipsp.h), used by the FLOW_TYPE, PROTOCOL and IFACE extensions.</summary>
public enum SadbDirection : byte
{
    /// <summary>No direction given.</summary>
    None = 0,

    /// <summary>IPSP_DIRECTION_IN: inbound.</summary>
    In = 1,

    /// <summary>IPSP_DIRECTION_OUT: outbound.</summary>
    Out = 2,
}
