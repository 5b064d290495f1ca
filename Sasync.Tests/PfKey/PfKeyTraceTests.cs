using System.Net;
using Microsoft.Extensions.Logging;
using Sasync.Core.PfKey;
using Sasync.Core.Simulation;
using Sasync.Tests.Support;

namespace Sasync.Tests.PfKey;

public sealed class PfKeyTraceTests
{
    [Fact]
    public void An_sa_shows_type_satype_spi_and_addresses()
    {
        var add = IkeDaemonMessages.AddEspSa(500, 1, 0x4242, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.7"));

        Assert.Equal("ADD ESP spi 0x00004242 192.0.2.1 -> 198.51.100.7", PfKeyTrace.Describe(add));
    }

    [Fact]
    public void Ipv6_addresses_are_written_in_their_short_form()
    {
        var delete = IkeDaemonMessages.DeleteSa(500, 1, 0xdeadbeef, IPAddress.Parse("2001:db8::1"), IPAddress.Parse("2001:db8:0:0:0:0:0:2"));

        Assert.Equal("DELETE ESP spi 0xdeadbeef 2001:db8::1 -> 2001:db8::2", PfKeyTrace.Describe(delete));
    }

    [Fact]
    public void A_flow_shows_its_networks_with_prefix_lengths_and_its_peer()
    {
        var flow = IkeDaemonMessages.AddFlow(
            500, 1, IPAddress.Parse("10.0.1.0"), IPAddress.Parse("255.255.255.0"), IPAddress.Parse("10.8.0.0"), IPAddress.Parse("255.248.0.0"), IPAddress.Parse("198.51.100.1"));

        Assert.Equal("X_ADDFLOW ESP flow 10.0.1.0/24 -> 10.8.0.0/13 peer 198.51.100.1", PfKeyTrace.Describe(flow));
    }

    [Fact]
    public void Unknown_types_and_an_errno_are_shown_as_numbers()
    {
        var message = new byte[16];
        message[0] = 2;
        message[1] = 200;
        message[2] = 17;
        message[3] = 99;
        message[4] = 2;

        Assert.Equal("type 200 type 99 errno 17", PfKeyTrace.Describe(message));
    }

    [Fact]
    public void Truncated_or_garbled_messages_are_described_as_far_as_they_go()
    {
        var add = IkeDaemonMessages.AddEspSa(500, 1, 0x4242, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.7"));

        Assert.Equal("short message (5 bytes)", PfKeyTrace.Describe(add.AsSpan(0, 5)));
        Assert.Equal("ADD ESP", PfKeyTrace.Describe(add.AsSpan(0, 16)));
        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (bytes.Length > 5)
            {
                bytes[4] = (byte)(bytes.Length / 8);
                bytes[5] = 0;
            }

            Assert.NotEmpty(PfKeyTrace.Describe(bytes));
            var cut = add.AsSpan(0, random.Next(0, add.Length + 1)).ToArray();
            Assert.StartsWith(cut.Length < 16 ? "short message" : "ADD ESP", PfKeyTrace.Describe(cut), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void It_logs_at_debug_and_only_when_debug_is_enabled()
    {
        var add = IkeDaemonMessages.AddEspSa(500, 1, 0x4242, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.7"));
        var logs = new LogCapture();

        PfKeyTrace.Log(logs.CreateLogger("sasyncd"), "relayed to", "127.0.0.2", add);

        var entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal("PF_KEY relayed to 127.0.0.2: ADD ESP spi 0x00004242 192.0.2.1 -> 198.51.100.7", entry.Message);

        var quiet = new InformationOnly();
        PfKeyTrace.Log(quiet, "relayed to", "127.0.0.2", add);
        Assert.Equal(0, quiet.Logged);
    }

    private sealed class InformationOnly : ILogger
    {
        public int Logged { get; private set; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => Logged++;
    }
}
