using Sasync.Core.Platform;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using static Sasync.Tests.Simulation.KernelTestMessages;

namespace Sasync.Tests.Simulation;

public sealed class SimulatedKernelSadbTests
{
    private const uint Pid = 4242;

    [Fact]
    public async Task GetSpi_reserves_a_larval_SA_that_Update_makes_mature()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);

        await ike.WriteAsync(GetSpi(Pid, 0x1000, 0x1000).Build(), default);

        var reply = Parse(Assert.Single(Drain(ike)));
        Assert.Equal(SadbMessageType.GetSpi, reply.Type);
        Assert.Equal(0, reply.Header.Errno);
        Assert.Equal(0x1000u, ReadSa(reply).Spi);
        Assert.Equal(SadbSaState.Mature, ReadSa(reply).State); // export_sa of the scratch tdb, as OpenBSD answers
        Assert.False(reply.Has(SadbExtensionType.SpiRange));
        var larval = Assert.Single(kernel.Sas);
        Assert.Equal((SadbSaType.Esp, 0x1000u, SadbSaState.Larval, false), (larval.SaType, larval.Spi, larval.State, larval.HasEncryptionKey));

        // A larval SA reports satype 0 in the sysctl dump.
        Assert.True(PfKeyMessage.TryParseDump(kernel.DumpSadb(), out var larvalDump, out _));
        Assert.Equal(SadbSaType.Unspec, Assert.Single(larvalDump).Header.SaType);
        Assert.Equal(SadbSaState.Larval, ReadSa(larvalDump[0]).State);

        await ike.WriteAsync(Update(Pid, 0x1000).Build(), default);

        var updateReply = Parse(Assert.Single(Drain(ike)));
        Assert.Equal((SadbMessageType.Update, (byte)0), (updateReply.Type, updateReply.Header.Errno));
        Assert.False(updateReply.Has(SadbExtensionType.KeyEncrypt));
        Assert.False(updateReply.Has(SadbExtensionType.KeyAuth));
        var mature = Assert.Single(kernel.Sas);
        Assert.Equal((SadbSaState.Mature, true, true), (mature.State, mature.HasEncryptionKey, mature.HasAuthenticationKey));
        Assert.True(PfKeyMessage.TryParseDump(kernel.DumpSadb(), out var dump, out _));
        Assert.Equal(SadbSaType.Esp, Assert.Single(dump).Header.SaType);
        Assert.True(dump[0].Has(SadbExtensionType.KeyEncrypt));
    }

    [Fact]
    public async Task GetSpi_picks_a_free_SPI_inside_the_range_and_answers_EEXIST_when_none_is_left()
    {
        var kernel = new SimulatedKernel(new SimulatedKernelOptions { RandomSeed = 7 });
        await using var ike = kernel.OpenClient(Pid);

        await ike.WriteAsync(GetSpi(Pid, 0x2000, 0x2fff).Build(), default);
        var spi = ReadSa(Parse(Assert.Single(Drain(ike)))).Spi;
        Assert.InRange(spi, 0x2000u, 0x2ffeu);

        await ike.WriteAsync(GetSpi(Pid, spi, spi).Build(), default);

        Assert.Equal(OpenBsdErrno.EEXIST, Parse(Assert.Single(Drain(ike))).Header.Errno);
        Assert.Single(kernel.Sas);
    }

    [Fact]
    public async Task Update_of_a_missing_SA_answers_ESRCH()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);

        await ike.WriteAsync(Update(Pid, 0x5000).Build(), default);

        Assert.Equal(OpenBsdErrno.ESRCH, Parse(Assert.Single(Drain(ike))).Header.Errno);
        Assert.Empty(kernel.Sas);
    }

    [Fact]
    public async Task A_second_Add_of_the_same_SA_is_answered_with_EEXIST_and_no_extensions()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(Add(Pid, 0x1234).Build(), default);
        var first = Parse(Assert.Single(Drain(ike)));
        Assert.Equal(0, first.Header.Errno);
        Assert.False(first.Has(SadbExtensionType.KeyEncrypt));

        // Like OpenBSD, the write itself succeeds; the refusal is in the reply.
        await ike.WriteAsync(Add(Pid, 0x1234, sequence: 99).Build(), default);

        var reply = Parse(Assert.Single(Drain(ike)));
        Assert.Equal((SadbMessageType.Add, (byte)OpenBsdErrno.EEXIST, 99u, Pid), (reply.Type, reply.Header.Errno, reply.Header.Sequence, reply.Header.Pid));
        Assert.Empty(reply.Extensions);
        Assert.Single(kernel.Sas);
    }

    [Fact]
    public async Task ThrowOnReplyErrno_also_reports_reply_errors_to_the_writer()
    {
        var kernel = new SimulatedKernel(new SimulatedKernelOptions { ThrowOnReplyErrno = true });
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(Add(Pid, 0x1234).Build(), default);

        var duplicate = await Assert.ThrowsAsync<KeyEngineException>(async () => await ike.WriteAsync(Add(Pid, 0x1234).Build(), default));
        var missing = await Assert.ThrowsAsync<KeyEngineException>(async () => await ike.WriteAsync(Delete(Pid, 0x9999).Build(), default));

        Assert.Equal((OpenBsdErrno.EEXIST, OpenBsdErrno.ESRCH), (duplicate.Errno, missing.Errno));
        Assert.Equal(3, Drain(ike).Count);
    }

    [Fact]
    public async Task Delete_removes_the_SA_and_a_Delete_of_a_missing_SA_answers_ESRCH()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(Add(Pid, 0x1234).Build(), default);
        await ike.WriteAsync(Add(Pid, 0x1234, SadbSaType.Ah).Build(), default);

        await ike.WriteAsync(Delete(Pid, 0x1234).Build(), default);
        await ike.WriteAsync(Delete(Pid, 0x1234).Build(), default);

        var replies = Drain(ike).Select(Parse).ToList();
        Assert.Equal([0, 0, 0, OpenBsdErrno.ESRCH], replies.Select(r => (int)r.Header.Errno));
        var left = Assert.Single(kernel.Sas);
        Assert.Equal(SadbSaType.Ah, left.SaType);
    }

    [Fact]
    public async Task Flush_by_type_removes_only_SAs_of_that_type_and_a_full_flush_removes_everything()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.WriteAsync(Add(Pid, 0x1001).Build(), default);
        await ike.WriteAsync(Add(Pid, 0x1002).Build(), default);
        await ike.WriteAsync(Add(Pid, 0x2001, SadbSaType.Ah).Build(), default);
        await ike.WriteAsync(GetSpi(Pid, 0x3000, 0x3000).Build(), default);
        await ike.WriteAsync(Flow(SadbMessageType.XAddFlow, Pid, "10.1.0.0", "255.255.0.0", "10.2.0.0", "255.255.0.0").Build(), default);

        await ike.WriteAsync(Flush(Pid, SadbSaType.Esp).Build(), default);

        // The larval SA has satype 0 in the kernel, so a flush by type leaves it; flows stay too.
        Assert.Equal([(SadbSaType.Ah, 0x2001u), (SadbSaType.Esp, 0x3000u)], kernel.Sas.Select(s => (s.SaType, s.Spi)));
        Assert.Single(kernel.Flows);

        await ike.WriteAsync(Flush(Pid, SadbSaType.Unspec).Build(), default);

        Assert.Empty(kernel.Sas);
        Assert.Empty(kernel.Flows);
        var last = Parse(Drain(ike)[^1]);
        Assert.Equal((SadbMessageType.Flush, (byte)0, 16), (last.Type, last.Header.Errno, last.Header.ByteLength));
    }

    [Fact]
    public async Task Flush_of_an_unsupported_type_fails_the_write_with_EINVAL()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);

        var error = await Assert.ThrowsAsync<KeyEngineException>(async () => await ike.WriteAsync(Flush(Pid, SadbSaType.Rsvp).Build(), default));

        Assert.Equal(OpenBsdErrno.EINVAL, error.Errno);
        Assert.Empty(Drain(ike));
    }

    [Theory]
    [InlineData("mtu")]
    [InlineData("larval")]
    [InlineData("pid")]
    [InlineData("reserved")]
    [InlineData("no-destination")]
    [InlineData("port")]
    public async Task Malformed_or_refused_messages_fail_the_write_with_EINVAL_and_change_nothing(string defect)
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await ike.SetPromiscuousAsync(true, default);
        Drain(ike);
        var builder = Add(Pid, 0x1234);
        switch (defect)
        {
            case "mtu":
                builder.Add(new MtuExtension(1400));
                break;
            case "larval":
                builder.Set(MatureSa(0x1234) with { State = SadbSaState.Larval });
                break;
            case "pid":
                builder.Pid = Pid + 1;
                break;
            case "reserved":
                builder.Reserved = 1;
                break;
            case "no-destination":
                builder.Remove(SadbExtensionType.AddressDst);
                break;
            case "port":
                builder.Set(new AddressExtension(SadbExtensionType.AddressDst, Peer, 500));
                break;
        }

        var error = await Assert.ThrowsAsync<KeyEngineException>(async () => await ike.WriteAsync(builder.Build(), default));

        Assert.Equal(OpenBsdErrno.EINVAL, error.Errno);
        Assert.Empty(kernel.Sas);
        Assert.Empty(Drain(ike)); // no promiscuous copy and no reply
    }

    [Fact]
    public async Task An_Add_carrying_X_REPLAY_installs_the_SA_but_the_write_fails_with_EPERM()
    {
        // pfkeyv2_dosend checks the reply against sadb_exts_allowed_out after the SA went in.
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);

        var error = await Assert.ThrowsAsync<KeyEngineException>(async () =>
            await ike.WriteAsync(Add(Pid, 0x1234).Add(new ReplayExtension(0)).Build(), default));

        Assert.Equal(OpenBsdErrno.EPERM, error.Errno);
        Assert.Single(kernel.Sas);
        Assert.Empty(Drain(ike));
    }

    [Fact]
    public async Task A_message_longer_than_4096_bytes_fails_with_EMSGSIZE()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);

        var error = await Assert.ThrowsAsync<KeyEngineException>(async () => await ike.WriteAsync(new byte[4104], default));

        Assert.Equal(OpenBsdErrno.EMSGSIZE, error.Errno);
    }

    [Fact]
    public async Task Get_broadcasts_the_SA_with_its_keys()
    {
        var kernel = new SimulatedKernel();
        await using var ike = kernel.OpenClient(Pid);
        await using var other = kernel.OpenClient(Pid + 1);
        await ike.WriteAsync(Add(Pid, 0x1234).Build(), default);
        Drain(ike);
        Drain(other);

        await ike.WriteAsync(new PfKeyMessageBuilder(SadbMessageType.Get, SadbSaType.Esp, 3, Pid)
            .Add(MatureSa(0x1234)).Add(new AddressExtension(SadbExtensionType.AddressDst, Peer)).Build(), default);

        var reply = Parse(Assert.Single(Drain(other)));
        Assert.Equal(SadbMessageType.Get, reply.Type);
        Assert.True(reply.Has(SadbExtensionType.KeyEncrypt));
        Assert.True(reply.Has(SadbExtensionType.LifetimeCurrent));
        Assert.Equal(SadbSaState.Mature, ReadSa(reply).State);
        Assert.Single(Drain(ike));
    }

    [Fact]
    public async Task A_hard_expiry_is_broadcast_raw_and_removes_the_SA_a_soft_one_keeps_it()
    {
        var kernel = new SimulatedKernel();
        await using var sasyncd = kernel.OpenClient(Pid + 1);
        await using var ike = kernel.OpenClient(Pid);
        await sasyncd.SetPromiscuousAsync(true, default);
        await ike.WriteAsync(Add(Pid, 0x1234).Build(), default);
        Drain(sasyncd);

        Assert.True(kernel.TryExpire(SadbSaType.Esp, 0x1234, Peer, hard: false));
        Assert.True(kernel.TryExpire(SadbSaType.Esp, 0x1234, Peer, hard: true));
        Assert.False(kernel.TryExpire(SadbSaType.Esp, 0x1234, Peer, hard: true));

        var expires = Drain(sasyncd).Select(Parse).ToList();
        Assert.All(expires, e => Assert.Equal((SadbMessageType.Expire, SadbSaType.Esp, 0u), (e.Type, e.Header.SaType, e.Header.Pid)));
        Assert.Equal(
            [SadbExtensionType.Sa, SadbExtensionType.LifetimeCurrent, SadbExtensionType.LifetimeSoft, SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst],
            expires[0].Extensions.Select(e => e.Type));
        Assert.True(expires[1].Has(SadbExtensionType.LifetimeHard));
        Assert.Empty(kernel.Sas);
    }

    [Fact]
    public async Task Random_and_truncated_input_is_refused_with_an_errno_never_another_exception()
    {
        var kernel = new SimulatedKernel(new SimulatedKernelOptions { RandomSeed = 1 });
        await using var ike = kernel.OpenClient(Pid);
        var random = new Random(12345);
        var valid = Add(Pid, 0x1234).Build();
        for (var i = 0; i < 3000; i++)
        {
            byte[] message;
            if (i % 2 == 0)
            {
                message = new byte[random.Next(0, 200)];
                random.NextBytes(message);
            }
            else
            {
                message = (byte[])valid.Clone();
                message[random.Next(message.Length)] = (byte)random.Next(256);
                message = message[..random.Next(message.Length + 1)];
            }

            try
            {
                await ike.WriteAsync(message, default);
            }
            catch (KeyEngineException e)
            {
                Assert.Contains(e.Errno, new[] { OpenBsdErrno.EINVAL, OpenBsdErrno.EPERM });
            }
        }

        Assert.True(PfKeyMessage.TryParseDump(kernel.DumpSadb(), out _, out var error), error.ToString());
    }
}
