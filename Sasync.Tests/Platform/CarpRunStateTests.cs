using Sasync.Core;
using Sasync.Core.Platform;

namespace Sasync.Tests.Platform;

public class CarpRunStateTests
{
    [Theory]
    [InlineData(LinkState.Up, RunState.Master)]
    [InlineData(LinkState.FullDuplex, RunState.Master)]
    [InlineData(LinkState.HalfDuplex, RunState.Master)]
    [InlineData(LinkState.Down, RunState.Slave)]
    [InlineData(LinkState.Unknown, RunState.Init)]
    [InlineData(LinkState.Invalid, RunState.Init)]
    [InlineData(LinkState.KeepAliveDown, RunState.Fail)]
    [InlineData((LinkState)99, RunState.Fail)]
    public void Link_state_maps_to_run_state_like_carp_c(LinkState link, RunState expected) =>
        Assert.Equal(expected, CarpRunState.FromLinkState(link));
}
