using System.Net;
using Sasync.Core.Config;
using Sasync.Core.Hosting;
using Sasync.Core.Net;

namespace Sasync.Tests.Net;

/// <summary>The reconnect and session rules of DESIGN.md §3, without sockets.</summary>
public class ReconnectRulesTests
{
    private static readonly IPAddress Low = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress High = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void Backoff_starts_below_a_second_doubles_and_stops_at_its_cap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
        var delays = Enumerable.Range(0, 10).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        Assert.Equal([250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000], delays);
        backoff.Reset();
        Assert.Equal(TimeSpan.FromMilliseconds(250), backoff.Next());
    }

    [Fact]
    public void Simultaneous_sessions_resolve_the_same_way_on_both_ends()
    {
        // Each end holds its own dialled session and sees the other's arrive within the window.
        var young = TimeSpan.FromMilliseconds(100);
        var onLow = DuplicateLinkRule.NewReplacesExisting(existingDialler: Low, young, newDialler: High);
        var onHigh = DuplicateLinkRule.NewReplacesExisting(existingDialler: High, young, newDialler: Low);

        // Both keep the session dialled by the lower address.
        Assert.False(onLow);
        Assert.True(onHigh);
    }

    [Fact]
    public void A_new_session_replaces_an_old_one_as_the_original_does()
    {
        // The old session probably belongs to a peer that restarted; IPv4-mapped forms compare as IPv4.
        Assert.True(DuplicateLinkRule.NewReplacesExisting(Low, TimeSpan.FromSeconds(5), High));
        Assert.True(DuplicateLinkRule.NewReplacesExisting(High, TimeSpan.FromMilliseconds(1), High));
        Assert.False(DuplicateLinkRule.NewReplacesExisting(Low.MapToIPv6(), TimeSpan.Zero, High));
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
