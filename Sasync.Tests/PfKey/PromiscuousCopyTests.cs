using Sasync.Core.PfKey;
using static Sasync.Tests.PfKey.TestMessages;

namespace Sasync.Tests.PfKey;

public class PromiscuousCopyTests
{
    [Fact]
    public void Unwrap_returns_the_writer_pid_from_the_wrapper_seq_and_the_inner_message()
    {
        var inner = EspSa(SadbMessageType.Add, 0x1001, pid: 4242);

        var result = PromiscuousCopy.TryUnwrap(Wrap(4242, inner), out var copy, out _);

        Assert.Equal(PromiscuousUnwrap.Unwrapped, result);
        Assert.Equal(4242u, copy.WriterPid);
        Assert.Equal(4242u, copy.Inner.Header.Pid);
        Assert.Equal(SadbMessageType.Add, copy.Inner.Type);
        Assert.Equal(inner, copy.Inner.Bytes.ToArray());
    }

    [Fact]
    public void The_bare_answer_to_the_promiscuous_request_is_not_a_copy()
    {
        var answer = Message(SadbMessageType.XPromisc, (SadbSaType)1, 1, 4242);
        Assert.Equal(16, answer.Length);
        Assert.Equal(PromiscuousUnwrap.NotPromiscuous, PromiscuousCopy.TryUnwrap(answer, out var copy, out _));
        Assert.Equal(default, copy);
    }

    [Fact]
    public void A_broadcast_reply_is_not_a_copy()
    {
        var reply = EspSa(SadbMessageType.Add, 0x1001, pid: 4242);
        Assert.Equal(PromiscuousUnwrap.NotPromiscuous, PromiscuousCopy.TryUnwrap(reply, out _, out _));
    }

    [Fact]
    public void A_wrapper_around_a_broken_message_is_malformed_with_the_offset_in_the_whole_buffer()
    {
        var inner = EspSa(SadbMessageType.Add, 0x1001, pid: 4242);
        inner[16] = 0; // first extension length 0
        Assert.Equal(PromiscuousUnwrap.Malformed, PromiscuousCopy.TryUnwrap(Wrap(4242, inner), out _, out var error));
        Assert.Equal(32, error.Offset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(15)]
    public void Short_or_truncated_input_is_malformed(int length)
    {
        var wrapped = Wrap(1, EspSa(SadbMessageType.Add, 1, 1));
        Assert.Equal(PromiscuousUnwrap.Malformed, PromiscuousCopy.TryUnwrap(wrapped.AsMemory(0, length), out _, out _));
        Assert.Equal(PromiscuousUnwrap.Malformed, PromiscuousCopy.TryUnwrap(wrapped.AsMemory(0, wrapped.Length - 8), out _, out _));
    }

    [Fact]
    public void Random_input_never_throws()
    {
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 96)];
            random.NextBytes(bytes);
            if (bytes.Length >= 2 && i % 2 == 0)
            {
                bytes[1] = (byte)SadbMessageType.XPromisc;
            }

            var result = PromiscuousCopy.TryUnwrap(bytes, out var copy, out _);
            Assert.Equal(result == PromiscuousUnwrap.Unwrapped, copy != default);
        }
    }
}
