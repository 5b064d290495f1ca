namespace Sasync.Core.PfKey;

/// <summary>IPSP_DIRECTION_* (netinet/ip_ipsp.h), used by the FLOW_TYPE, PROTOCOL and IFACE extensions.</summary>
public enum SadbDirection : byte
{
    None = 0,
    In = 1,
    Out = 2,
}
