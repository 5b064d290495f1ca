using Sasync.Core;
using Sasync.Core.Wire;

namespace Sasync.Tests.Wire;

public class ControlMessageTests
{
    [Fact]
    public void State_master_is_three_big_endian_words()
    {
        Assert.Equal(Convert.FromHexString("000000010000000200000000"), ControlMessage.StateOf(RunState.Master).ToBytes());
        Assert.True(ControlMessage.TryRead(Convert.FromHexString("000000030000000100000002"), out var ack));
        Assert.Equal(new ControlMessage(ControlType.Ack, 1, 2), ack);
        Assert.False(ControlMessage.TryRead(new byte[11], out _));
    }
}
