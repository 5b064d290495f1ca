namespace Sasync.Platform.OpenBSD.Structs;

/// <summary>
/// ioctl request numbers built the way sys/sys/ioccom.h (1.6) builds them:
/// <c>_IOC(inout, group, num, len) = inout | ((len &amp; IOCPARM_MASK) &lt;&lt; 16) | (group &lt;&lt; 8) | num</c>.
/// </summary>
internal static class IoctlRequest
{
    public const uint ParameterMask = 0x1fff;
    public const uint Void = 0x20000000;
    public const uint Out = 0x40000000;
    public const uint In = 0x80000000;
    public const uint InOut = In | Out;

    /// <summary>SIOCGIFDATA = _IOWR('i', 27, struct ifreq).</summary>
    public static readonly ulong GetInterfaceData = ReadWrite('i', 27, InterfaceRequest.Size);

    /// <summary>SIOCGIFGATTR = _IOWR('i', 139, struct ifgroupreq).</summary>
    public static readonly ulong GetGroupAttributes = ReadWrite('i', 139, InterfaceGroupRequest.Size);

    /// <summary>SIOCSIFGATTR = _IOW('i', 140, struct ifgroupreq).</summary>
    public static readonly ulong SetGroupAttributes = Write('i', 140, InterfaceGroupRequest.Size);

    public static ulong Encode(uint direction, char group, uint number, int length) =>
        direction | (((uint)length & ParameterMask) << 16) | ((uint)group << 8) | number;

    /// <summary>_IOW: the kernel reads the argument.</summary>
    public static ulong Write(char group, uint number, int length) => Encode(In, group, number, length);

    /// <summary>_IOR: the kernel writes the argument.</summary>
    public static ulong Read(char group, uint number, int length) => Encode(Out, group, number, length);

    /// <summary>_IOWR: both.</summary>
    public static ulong ReadWrite(char group, uint number, int length) => Encode(InOut, group, number, length);
}
