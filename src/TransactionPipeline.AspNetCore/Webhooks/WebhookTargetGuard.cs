using System.Net;
using System.Net.Sockets;

namespace TransactionPipeline.AspNetCore.Webhooks;

/// <summary>Keeps webhook deliveries away from the server's own network (server-side request forgery).</summary>
/// <remarks>
/// The check runs on the address the connection actually uses, resolved at connect time, so a host name that
/// resolves to a private address (or is re-pointed there after registration) is refused as well.
/// </remarks>
internal static class WebhookTargetGuard
{
    /// <summary>Checks a registration's URL; returns why it is refused, or <see langword="null"/>.</summary>
    public static string? Validate(string? url, bool allowPrivate, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            return "webhook_url must be an absolute URL.";
        }

        if (parsed.Scheme != Uri.UriSchemeHttps && !(allowPrivate && parsed.Scheme == Uri.UriSchemeHttp))
        {
            return allowPrivate
                ? "webhook_url must use http or https."
                : "webhook_url must use https (plain http is allowed only when private webhook targets are allowed).";
        }

        if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            return "webhook_url must not carry credentials.";
        }

        if (!allowPrivate && IPAddress.TryParse(parsed.IdnHost, out var literal) && !IsPublic(literal))
        {
            return $"webhook_url points at {literal}, which is not a public address.";
        }

        uri = parsed;
        return null;
    }

    /// <summary>Resolves the host and connects to its first public address; refuses when it has none.</summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken).ConfigureAwait(false);
        var allowed = allowPrivate ? addresses : [.. addresses.Where(IsPublic)];
        if (allowed.Length == 0)
        {
            throw new WebhookTargetRefusedException(
                $"Webhook host '{endPoint.Host}' resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}, none of which is a public address.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Tells whether an address is on the public internet: not loopback, private, link-local, unique-local, shared or reserved.</summary>
    /// <remarks>
    /// An IPv6 address that embeds an IPv4 address (IPv4-mapped and IPv4-compatible, NAT64, 6to4, Teredo) is public only
    /// when every IPv4 address it embeds is: each of them can lead to loopback or a private network through a translator
    /// or a relay. IANA's special-purpose ranges that are not globally reachable are refused in both families.
    /// </remarks>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return IsPublicIPv4(b);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return IsPublicIPv6(address);
        }

        return false;
    }

    private static bool IsPublicIPv4(ReadOnlySpan<byte> b) =>
        !(b[0] == 0                                              // "this" network
        || b[0] == 10                                            // private
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)            // carrier-grade NAT
        || b[0] == 127                                           // loopback
        || (b[0] == 169 && b[1] == 254)                          // link-local, cloud metadata
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)             // private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)               // IETF protocol assignments
        || (b[0] == 192 && b[1] == 0 && b[2] == 2)               // documentation (TEST-NET-1)
        || (b[0] == 192 && b[1] == 88 && b[2] == 99)             // deprecated 6to4 relay anycast
        || (b[0] == 192 && b[1] == 168)                          // private
        || (b[0] == 198 && (b[1] == 18 || b[1] == 19))           // benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)            // documentation (TEST-NET-2)
        || (b[0] == 203 && b[1] == 0 && b[2] == 113)             // documentation (TEST-NET-3)
        || b[0] >= 224);                                         // multicast, reserved, broadcast

    private static bool IsPublicIPv6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6LinkLocal
            || address.IsIPv6SiteLocal
            || address.IsIPv6UniqueLocal
            || address.IsIPv6Multicast)
        {
            return false;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        if (b[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            // IPv4-compatible ::a.b.c.d (deprecated; :: and ::1 were handled above).
            return IsPublicIPv4(b[12..]);
        }

        var first = (b[0] << 8) | b[1];
        var second = (b[2] << 8) | b[3];
        return first switch
        {
            // NAT64 well-known prefix 64:ff9b::/96 carries the IPv4 address in its last 32 bits;
            // the local-use prefix 64:ff9b:1::/48 is not global at all.
            0x0064 when second == 0xff9b => b[4..12].IndexOfAnyExcept((byte)0) < 0 && IsPublicIPv4(b[12..]),
            0x0064 => false,
            0x0100 when b[2..8].IndexOfAnyExcept((byte)0) < 0 => false,  // discard-only 100::/64
            0x2001 when second == 0x0000 => IsPublicIPv4(b[4..8]) && IsPublicTeredoClient(b[12..]),  // Teredo 2001::/32
            0x2001 when second == 0x0db8 => false,                       // documentation 2001:db8::/32
            0x2001 when second == 0x0002 && b[4] == 0 && b[5] == 0 => false,  // benchmarking 2001:2::/48
            0x2001 when (second & 0xfff0) == 0x0010 => false,            // ORCHID 2001:10::/28
            0x2002 => IsPublicIPv4(b[2..6]),                             // 6to4 2002::/16 carries the IPv4 address in bits 16-47
            _ => true,
        };
    }

    /// <summary>Teredo writes the client's IPv4 address with every bit inverted.</summary>
    private static bool IsPublicTeredoClient(ReadOnlySpan<byte> obfuscated)
    {
        Span<byte> client = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            client[i] = (byte)~obfuscated[i];
        }

        return IsPublicIPv4(client);
    }
}

/// <summary>A webhook target that the forgery guard refused; retrying cannot help.</summary>
internal sealed class WebhookTargetRefusedException(string message) : Exception(message);
