using System.Net;
using System.Net.Sockets;

namespace Sasync.Core.PfKey;

/// <summary>
/// <c>struct sadb_address</c> followed by an AF_INET or AF_INET6 sockaddr padded to 8 bytes:
/// ADDRESS_SRC/DST/PROXY, X_SRC/DST_MASK, X_SRC/DST_FLOW and X_DST2. 24 bytes for IPv4, 40 for IPv6.
/// </summary>
public readonly record struct AddressExtension(SadbExtensionType Type, IPAddress Address, ushort Port = 0) : IPfKeyExtensionWriter
{
    /// <summary>Bytes of the fixed part before the variable-length data, <c>sadb_ext</c> header included.</summary>
    public const int HeaderSize = 8;

    /// <summary>The extension types whose body is a <c>sadb_address</c>.</summary>
    public static ReadOnlySpan<SadbExtensionType> Types =>
    [
        SadbExtensionType.AddressSrc, SadbExtensionType.AddressDst, SadbExtensionType.AddressProxy,
        SadbExtensionType.XSrcMask, SadbExtensionType.XDstMask, SadbExtensionType.XSrcFlow,
        SadbExtensionType.XDstFlow, SadbExtensionType.XDst2,
    ];

    /// <summary>Whether extensions of <paramref name="type"/> hold a <c>sadb_address</c> (one of <see cref="Types"/>).</summary>
    public static bool IsAddressType(SadbExtensionType type) => type is SadbExtensionType.AddressSrc or SadbExtensionType.AddressDst
        or SadbExtensionType.AddressProxy or SadbExtensionType.XSrcMask or SadbExtensionType.XDstMask or SadbExtensionType.XSrcFlow
        or SadbExtensionType.XDstFlow or SadbExtensionType.XDst2;

    /// <inheritdoc/>
    public int ByteLength => HeaderSize + ExtensionLayout.PadUp(
        Address.AddressFamily == AddressFamily.InterNetworkV6 ? SockAddr.Inet6Size : SockAddr.InetSize);

    /// <summary>Reads <paramref name="extension"/> as a <see cref="AddressExtension"/>, checking its type and layout as the kernel does.</summary>
    /// <returns>False, with <paramref name="error"/> (its offset counted from the start of the extension), when the extension is malformed.</returns>
    public static bool TryRead(PfKeyExtension extension, out AddressExtension address, out PfKeyError error)
    {
        address = default;
        if (!TryCheck(extension, out error))
        {
            return false;
        }

        if (!SockAddr.TryRead(extension.Span[HeaderSize..], out var ip, out var port))
        {
            error = new PfKeyError(HeaderSize, $"{PfKeyNames.ExtensionTypeName(extension.Type)} sockaddr cannot be read");
            return false;
        }

        address = new AddressExtension(extension.Type, ip, port);
        return true;
    }

    /// <summary>The checks of <see cref="TryRead"/> without making the <see cref="IPAddress"/> (the parse hot path).</summary>
    public static bool TryCheck(PfKeyExtension extension, out PfKeyError error)
    {
        if (!ExtensionLayout.TryCheckType(extension, "an address", out error, Types)
            || !TryCheckSockAddrFraming(extension, out error))
        {
            return false;
        }

        return TryCheckFamilyLength(extension, out error);
    }

    /// <summary>The rest of <see cref="TryCheck"/> for an address extension whose framing was checked (<see cref="TryCheckSockAddrFraming"/>).</summary>
    internal static bool TryCheckFamilyLength(PfKeyExtension extension, out PfKeyError error)
    {
        var sockaddr = extension.Span[HeaderSize..];
        var expected = sockaddr[1] switch
        {
            SockAddr.AfInet => SockAddr.InetSize,
            SockAddr.AfInet6 => SockAddr.Inet6Size,
            _ => -1,
        };
        if (expected < 0)
        {
            error = new PfKeyError(HeaderSize + 1, $"{PfKeyNames.ExtensionTypeName(extension.Type)} has address family {sockaddr[1]}, not AF_INET or AF_INET6");
            return false;
        }

        if (sockaddr[0] != expected)
        {
            error = new PfKeyError(HeaderSize, $"{PfKeyNames.ExtensionTypeName(extension.Type)} sockaddr length is {sockaddr[0]}, expected {expected} for its family");
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>
    /// Checks what holds for every family: a sockaddr header inside the extension, and an extension
    /// exactly as long as the padded sockaddr (the kernel's rule).
    /// </summary>
    public static bool TryCheckSockAddrFraming(PfKeyExtension extension, out PfKeyError error)
    {
        var span = extension.Span;
        if (span.Length < HeaderSize + 2)
        {
            error = new PfKeyError(0, $"{PfKeyNames.ExtensionTypeName(extension.Type)} extension of {span.Length} bytes has no room for a sockaddr");
            return false;
        }

        var sockaddrLength = span[HeaderSize];
        if (sockaddrLength < 2)
        {
            error = new PfKeyError(HeaderSize, $"{PfKeyNames.ExtensionTypeName(extension.Type)} sockaddr length {sockaddrLength} is too short");
            return false;
        }

        if (HeaderSize + sockaddrLength > span.Length)
        {
            error = new PfKeyError(HeaderSize, $"{PfKeyNames.ExtensionTypeName(extension.Type)} sockaddr of {sockaddrLength} bytes runs past its {span.Length}-byte extension");
            return false;
        }

        if (HeaderSize + ExtensionLayout.PadUp(sockaddrLength) != span.Length)
        {
            error = new PfKeyError(0, $"{PfKeyNames.ExtensionTypeName(extension.Type)} extension is {span.Length} bytes, expected {HeaderSize + ExtensionLayout.PadUp(sockaddrLength)} for a {sockaddrLength}-byte sockaddr");
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>The address family byte of an address extension's sockaddr, or -1 when it has none.</summary>
    public static int ReadFamily(PfKeyExtension extension) =>
        extension.Span.Length > HeaderSize + 1 ? extension.Span[HeaderSize + 1] : -1;

    /// <inheritdoc/>
    public void Write(Span<byte> destination)
    {
        var length = ByteLength;
        ExtensionLayout.WriteHeader(destination, Type, length);
        SockAddr.Write(destination[HeaderSize..length], Address, Port);
    }
}
