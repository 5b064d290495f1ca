using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Sasync.Core.Config;

namespace Sasync.Core.Hosting;

/// <summary>Turns <c>listen on ADDRESS|IFNAME [inet|inet6] [port N]</c> into sockets to listen on.</summary>
public static class ListenEndpoints
{
    /// <summary>
    /// The endpoints for <paramref name="listen"/>: the address given, every address of the named
    /// interface (of the chosen family), or every address. False with a reason when an interface
    /// name matches nothing usable.
    /// </summary>
    public static bool TryResolve(ListenSettings listen, out ImmutableArray<IPEndPoint> endpoints, out string error)
    {
        ArgumentNullException.ThrowIfNull(listen);
        error = "";
        if (listen.On is null)
        {
            endpoints = listen.Family switch
            {
                ListenFamily.Inet => [new IPEndPoint(IPAddress.Any, listen.Port)],
                ListenFamily.Inet6 => [new IPEndPoint(IPAddress.IPv6Any, listen.Port)],
                _ => [new IPEndPoint(IPAddress.IPv6Any, listen.Port)],
            };
            return true;
        }

        if (IPAddress.TryParse(listen.On, out var address))
        {
            endpoints = [new IPEndPoint(address, listen.Port)];
            return true;
        }

        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == listen.On);
        if (nic is null)
        {
            endpoints = [];
            error = $"listen on {listen.On}: no such address or interface";
            return false;
        }

        endpoints = [.. nic.GetIPProperties().UnicastAddresses
            .Select(u => u.Address)
            .Where(a => Matches(a, listen.Family) && !a.IsIPv6LinkLocal)
            .Select(a => new IPEndPoint(a, listen.Port))];
        if (endpoints.IsEmpty)
        {
            error = $"listen on {listen.On}: the interface has no {(listen.Family == ListenFamily.Any ? "" : listen.Family.ToString().ToLowerInvariant() + " ")}address";
            return false;
        }

        return true;
    }

    /// <summary>The source address for connections to peers: the listen address when one is given.</summary>
    public static IPAddress? BindAddress(ListenSettings listen) =>
        listen?.On is { } on && IPAddress.TryParse(on, out var address) ? address : null;

    private static bool Matches(IPAddress address, ListenFamily family) => family switch
    {
        ListenFamily.Inet => address.AddressFamily == AddressFamily.InterNetwork,
        ListenFamily.Inet6 => address.AddressFamily == AddressFamily.InterNetworkV6,
        _ => true,
    };
}
