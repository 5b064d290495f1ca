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
        Assert.False(ControlMessage.TryRead(new byte[13], out _));
    }

    [Fact]
    public void Ack_and_error_carry_the_type_they_answer_like_the_original()
    {
        // An ACK names the acknowledged type (STATE) in data and the acknowledger's state in data2.
        Assert.Equal("000000030000000100000001", Convert.ToHexString(ControlMessage.AckOf(RunState.Slave).ToBytes()));
        // An ERROR names the refused type: STATE for a state conflict, RESERVED for PF_KEY data.
        Assert.Equal("000000020000000100000000", Convert.ToHexString(ControlMessage.StateError.ToBytes()));
        Assert.Equal("000000020000000000000000", Convert.ToHexString(ControlMessage.PfKeyError.ToBytes()));
        Assert.Equal("000000020000000500000000", Convert.ToHexString(ControlMessage.UnknownError.ToBytes()));
        Assert.Equal("000000040000000000000000", Convert.ToHexString(ControlMessage.EndSnapshot.ToBytes()));
    }

    [Theory]
    [InlineData(ControlType.State, 2u, 0u, true, RunState.Master)]
    [InlineData(ControlType.State, 3u, 9u, true, RunState.Fail)]
    [InlineData(ControlType.State, 4u, 0u, false, default(RunState))]
    [InlineData(ControlType.Ack, 1u, 1u, true, RunState.Slave)]
    [InlineData(ControlType.Ack, 4u, 1u, false, default(RunState))]
    [InlineData(ControlType.Error, 1u, 0u, false, default(RunState))]
    [InlineData(ControlType.EndSnapshot, 0u, 0u, false, default(RunState))]
    public void The_run_state_is_read_from_a_state_or_the_ack_of_a_state(ControlType type, uint data, uint data2, bool has, RunState expected)
    {
        var found = new ControlMessage(type, data, data2).TryGetRunState(out var state);

        Assert.Equal(has, found);
        if (has)
        {
            Assert.Equal(expected, state);
        }
    }

    [Fact]
    public void Wire_values_have_the_originals_names()
    {
        Assert.Equal(["RESERVED", "STATE", "ERROR", "ACK", "ENDSNAP", "UNKNOWN", "6"],
            Enumerable.Range(0, 7).Select(i => ((ControlType)i).Name()));
        Assert.Equal(["INIT", "SLAVE", "MASTER", "FAIL", "4"], Enumerable.Range(0, 5).Select(i => ((RunState)i).Name()));
        Assert.Equal(["control", "pfkey", "2"], Enumerable.Range(0, 3).Select(i => ((WireMessageType)i).Name()));
    }
}
