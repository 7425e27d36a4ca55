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
            return !(b[0] == 0                                   // "this" network
                || b[0] == 10                                    // private
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)    // carrier-grade NAT
                || b[0] == 127                                   // loopback
                || (b[0] == 169 && b[1] == 254)                  // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)     // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)       // IETF protocol assignments
                || (b[0] == 192 && b[1] == 168)                  // private
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))   // benchmarking
                || b[0] >= 224);                                 // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return !(address.Equals(IPAddress.IPv6Any)
                || address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal
                || address.IsIPv6UniqueLocal
                || address.IsIPv6Multicast);
        }

        return false;
    }
}

/// <summary>A webhook target that the forgery guard refused; retrying cannot help.</summary>
internal sealed class WebhookTargetRefusedException(string message) : Exception(message);
