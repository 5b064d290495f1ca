using Sasync.Platform.OpenBSD.Structs;

namespace Sasync.Tests.Platform.OpenBSD;

public class IoctlRequestTests
{
    [Fact]
    public void Siocgifdata_is_iowr_i_27_ifreq() => Assert.Equal(0xC020691BUL, IoctlRequest.GetInterfaceData);

    [Fact]
    public void Siocgifgattr_is_iowr_i_139_ifgroupreq() => Assert.Equal(0xC028698BUL, IoctlRequest.GetGroupAttributes);

    [Fact]
    public void Siocsifgattr_is_iow_i_140_ifgroupreq() => Assert.Equal(0x8028698CUL, IoctlRequest.SetGroupAttributes);

    [Fact]
    public void Direction_bits_and_length_mask_follow_ioccom_h()
    {
        Assert.Equal(0x40046901UL, IoctlRequest.Read('i', 1, 4));
        Assert.Equal(0x20006901UL, IoctlRequest.Encode(IoctlRequest.Void, 'i', 1, 0));
        // The length is masked to 13 bits: 0x2000 wraps to 0.
        Assert.Equal(0x80006901UL, IoctlRequest.Write('i', 1, 0x2000));
        // The 32-bit ABI's 36-byte ifgroupreq gives the value golang lists for openbsd/386.
        Assert.Equal(0xC024698BUL, IoctlRequest.ReadWrite('i', 139, 36));
    }
}
