using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace TransactionPipeline.AspNetCore.Dashboard;

/// <summary>Who may open the dashboard: this machine, or whoever the host's authorization lets through.</summary>
/// <param name="allowRemoteRequests">The host vouches for every request that reaches the dashboard.</param>
internal sealed class DashboardAccess(bool allowRemoteRequests)
{
    /// <summary>The filter of every dashboard endpoint: <c>403</c> problem details for a request it must not answer.</summary>
    public ValueTask<object?> CheckAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        return Allows(context)
            ? next(invocation)
            : ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "The dashboard answers requests from this machine only.",
                detail: "Open it on the server itself, or put it behind authorization: "
                    + "app.MapTransactionPipelineDashboard().RequireAuthorization(...)."));
    }

    /// <summary>Whether the request may see the dashboard.</summary>
    public bool Allows(HttpContext context) =>
        allowRemoteRequests || IsAuthorized(context.GetEndpoint()) || IsLocalRequest(context);

    /// <summary>
    /// Whether the local-only rule admits the request: from this machine, not relayed, and addressed to this machine by
    /// name. A request that went through a proxy (a forwarding header, or one that forwarded-headers middleware left)
    /// is anyone's; a <c>Host</c> that is neither <c>localhost</c> nor an address is another site's name, pointed at this
    /// machine by DNS rebinding, whose pages must not read or drive the dashboard.
    /// </summary>
    public static bool IsLocalRequest(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Request.Headers;
        if (headers.ContainsKey("X-Forwarded-For") || headers.ContainsKey("Forwarded") || headers.ContainsKey("X-Original-For"))
        {
            return false;
        }

        return IsLocal(context.Connection) && IsLocalHost(context.Request.Host);
    }

    /// <summary>Whether the request names this machine: <c>localhost</c> (or a name under it), or an IP address.</summary>
    public static bool IsLocalHost(HostString host)
    {
        if (!host.HasValue)
        {
            return false;
        }

        var name = host.Host.Trim('[', ']');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(name, out _);
    }

    /// <summary>
    /// Whether the host put the endpoint behind authorization. The authorization middleware has then run and admitted
    /// the request: routing refuses to run an endpoint with authorization metadata when that middleware did not run.
    /// An explicit <c>AllowAnonymous()</c> opts out of authorization, so the endpoint stays local-only.
    /// </summary>
    public static bool IsAuthorized(Endpoint? endpoint)
    {
        if (endpoint is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return false;
        }

        return endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null
            || endpoint.Metadata.GetMetadata<AuthorizationPolicy>() is not null
            || endpoint.Metadata.GetMetadata<IAuthorizationRequirementData>() is not null;
    }

    /// <summary>
    /// Whether the request comes from this machine: from a loopback address, or from the address it was sent to. A
    /// connection without an address (a Unix socket, an in-memory test server) is not local: behind a proxy it is anyone.
    /// </summary>
    public static bool IsLocal(ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.RemoteIpAddress is not { } remote)
        {
            return false;
        }

        remote = Unmapped(remote);
        return IPAddress.IsLoopback(remote) || (connection.LocalIpAddress is { } local && remote.Equals(Unmapped(local)));
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
