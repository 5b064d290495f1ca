using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sasync.Cli.Commands;

/// <summary>Options of the <c>sim add-*</c> verbs whose values are addresses, networks, SPIs or keys, refused with a clear sentence.</summary>
internal static class SimValues
{
    public static Option<IPAddress> Address(string name, string defaultValue, string description) => new(name)
    {
        HelpName = "ADDRESS",
        Description = description,
        DefaultValueFactory = _ => IPAddress.Parse(defaultValue),
        CustomParser = result => Parse(result, name, "an IPv4 or IPv6 address", text => IPAddress.TryParse(text, out var a) ? a : null),
    };

    /// <summary>ADDRESS/PREFIX, e.g. 10.0.1.0/24; the address is masked to the network.</summary>
    public static Option<IPNetwork> Network(string name, string defaultValue, string description) => new(name)
    {
        HelpName = "NET",
        Description = description,
        DefaultValueFactory = _ => IPNetwork.Parse(defaultValue),
        CustomParser = result => Parse(result, name, "a network such as 10.0.1.0/24", text => IPNetwork.TryParse(text, out var n) ? n : (IPNetwork?)null) ?? default,
    };

    /// <summary>0x and hex digits, or decimal; 256 and up (lower SPIs are reserved).</summary>
    public static Option<uint?> Spi() => new("--spi")
    {
        HelpName = "SPI",
        DefaultValueFactory = _ => null,
        Description = "The SPI, 0x-hex or decimal, 0x100 and up (default: a random one)",
        CustomParser = result => Parse<uint?>(result, "--spi", "a number from 0x100 to 0xffffffff", text =>
            (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? uint.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) ? hex : (uint?)null
                : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null) is >= 0x100 and var spi ? spi : null),
    };

    public static Option<byte[]?> Key(string name, string description, params int[] lengths) => new(name)
    {
        HelpName = "HEX",
        Description = description,
        CustomParser = result => Parse(result, name, $"{string.Join(" or ", lengths)} bytes in hex", text =>
        {
            var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
            try
            {
                var bytes = Convert.FromHexString(digits);
                return lengths.Contains(bytes.Length) ? bytes : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }),
    };

    /// <summary>The mask of a network as an address of its family, for the flow's mask extensions.</summary>
    public static IPAddress Mask(IPNetwork network)
    {
        var bytes = new byte[network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 4 : 16];
        for (var bit = 0; bit < network.PrefixLength; bit++)
        {
            bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }

    private static T? Parse<T>(ArgumentResult result, string name, string expected, Func<string, T?> parse)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        var value = parse(text);
        if (value is null)
        {
            result.AddError($"{name} must be {expected}, not '{text}'");
        }

        return value;
    }
}
