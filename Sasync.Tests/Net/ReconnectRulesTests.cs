using System.Net;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Microsoft.Extensions.Time.Testing;
using Sasync.Core.Sessions;
using Sasync.Core.Wire;

namespace Sasync.Tests.Net;

/// <summary>The session rules in a few fixed cases (the seeded tests in Sessions/ cover the rest), and listen settings.</summary>
public class ReconnectRulesTests
{
    private static readonly IPAddress Low = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress High = IPAddress.Parse("192.0.2.2");

    private static PeerSessionRules Rules(UInt128 instance) =>
        new("peer", new HelloMessage(HelloMessage.CurrentVersion, 0, instance), new SessionRulesOptions(), new FakeTimeProvider(), new Random(1));

    [Fact]
    public void Simultaneous_sessions_between_sasyncd_cs_resolve_the_same_way_on_both_ends()
    {
        // Connection 1 was dialled by Low, connection 2 by High; each end saw them open in its own order.
        List<SessionDecision> decisions = [];
        var onLow = Rules(1);
        onLow.OnOpened(1, ConnectionDirection.Outbound, Low, decisions);
        onLow.OnOpened(2, ConnectionDirection.Inbound, High, decisions);
        var onHigh = Rules(2);
        onHigh.OnOpened(2, ConnectionDirection.Outbound, High, decisions);
        onHigh.OnOpened(1, ConnectionDirection.Inbound, Low, decisions);
        foreach (var (rules, peer) in new[] { (onLow, (UInt128)2), (onHigh, (UInt128)1) })
        {
            rules.OnFrame(2, WireMessageType.Control, new HelloMessage(1, 0, peer).ToBytes(), decisions);
            rules.OnFrame(1, WireMessageType.Control, new HelloMessage(1, 0, peer).ToBytes(), decisions);
        }

        // Both keep the connection dialled by the lower address.
        Assert.Equal(1, onLow.CarrierId);
        Assert.Equal(1, onHigh.CarrierId);
        Assert.Equal(1, onLow.OpenConnections);
        Assert.Equal(1, onHigh.OpenConnections);
    }

    [Fact]
    public void A_new_instance_id_closes_the_connections_of_the_old_one_but_a_late_hello_of_the_old_one_changes_nothing()
    {
        List<SessionDecision> decisions = [];
        var rules = Rules(1);
        rules.OnOpened(1, ConnectionDirection.Inbound, High, decisions);
        rules.OnFrame(1, WireMessageType.Control, new HelloMessage(1, 0, 10).ToBytes(), decisions);
        rules.OnOpened(2, ConnectionDirection.Inbound, High, decisions);
        rules.OnOpened(3, ConnectionDirection.Inbound, High, decisions);
        // The peer restarted: its new process opened 3, and says so first.
        rules.OnFrame(3, WireMessageType.Control, new HelloMessage(1, 0, 11).ToBytes(), decisions);
        Assert.Contains(decisions, d => d is CloseConnection { ConnectionId: 1 });
        Assert.Equal(3, rules.CarrierId);

        // 2 came from the old process; its HELLO, read only now, does not undo the restart.
        decisions.Clear();
        rules.OnFrame(2, WireMessageType.Control, new HelloMessage(1, 0, 10).ToBytes(), decisions);
        Assert.Contains(decisions, d => d is CloseConnection { ConnectionId: 2 });
        Assert.Equal(3, rules.CarrierId);
        Assert.Equal(1, rules.OpenConnections);
    }

    [Fact]
    public void Against_an_original_our_outbound_carries_and_an_older_inbound_makes_way_for_a_newer_one()
    {
        List<SessionDecision> decisions = [];
        var rules = Rules(1);
        rules.OnOpened(1, ConnectionDirection.Inbound, High, decisions);
        rules.OnOpened(2, ConnectionDirection.Outbound, Low, decisions);
        // The original's own dial stays open (it may still be writing there) but our dial carries.
        Assert.Equal(2, rules.CarrierId);
        Assert.Equal(2, rules.OpenConnections);

        rules.OnOpened(3, ConnectionDirection.Inbound, High, decisions);
        // It dialled again, so it left connection 1; ours still carries.
        Assert.Contains(decisions, d => d is CloseConnection { ConnectionId: 1 });
        Assert.Equal(2, rules.CarrierId);

        // When ours closes, its newest dial takes over without a redial.
        decisions.Clear();
        rules.OnClosed(2, "connection reset by peer", decisions);
        Assert.Equal(3, rules.CarrierId);
        Assert.DoesNotContain(decisions, d => d is StartDial);
    }

    [Theory]
    [InlineData(null, ListenFamily.Any, "[::]:500")]
    [InlineData(null, ListenFamily.Inet, "0.0.0.0:500")]
    [InlineData("192.0.2.1", ListenFamily.Any, "192.0.2.1:500")]
    public void Listen_settings_become_endpoints(string? on, ListenFamily family, string expected)
    {
        Assert.True(ListenEndpoints.TryResolve(new ListenSettings { On = on, Family = family }, out var endpoints, out var error), error);
        Assert.Contains(expected, endpoints.Select(e => e.ToString()));
    }

    [Fact]
    public void An_interface_name_listens_on_its_addresses_of_the_family()
    {
        var loopback = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .First(n => n.NetworkInterfaceType == System.Net.NetworkInformation.NetworkInterfaceType.Loopback).Name;

        Assert.True(ListenEndpoints.TryResolve(new ListenSettings { On = loopback, Family = ListenFamily.Inet, Port = 5500 }, out var endpoints, out var error), error);
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, 5500), endpoints);
        Assert.All(endpoints, e => Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, e.AddressFamily));
        Assert.Null(ListenEndpoints.BindAddress(new ListenSettings { On = loopback }));
    }

    [Fact]
    public void An_unknown_interface_is_an_error_and_only_an_address_binds_outgoing_connections()
    {
        Assert.False(ListenEndpoints.TryResolve(new ListenSettings { On = "nosuch0" }, out _, out var error));
        Assert.Contains("nosuch0", error, StringComparison.Ordinal);
        Assert.Equal(Low, ListenEndpoints.BindAddress(new ListenSettings { On = "192.0.2.1" }));
    }
}
