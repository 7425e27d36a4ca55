using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TransactionPipeline;

/// <summary>
/// Authenticates a request by its <c>X-Api-Key</c> header against the keys of the <c>Tenants:ApiKeys</c> section
/// (<c>"key": "tenant"</c>), and gives the caller its tenant as a <c>tenant</c> claim. A stand-in for the host's real
/// authentication (JWT bearer, cookies, certificates): the pipeline only reads the claim.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    public const string TenantClaim = "tenant";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers["X-Api-Key"].ToString() is not { Length: > 0 } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Compared in constant time, so the answer's timing says nothing about how much of a key was right.
        var given = Encoding.UTF8.GetBytes(presented);
        foreach (var key in configuration.GetSection("Tenants:ApiKeys").GetChildren())
        {
            if (key.Value is { Length: > 0 } tenant && CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(key.Key)))
            {
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, tenant), new Claim(TenantClaim, tenant)], SchemeName);
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
            }
        }

        return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
    }
}

/// <summary>The tenant of a request is its authenticated user's <c>tenant</c> claim.</summary>
internal sealed class ClaimTenantProvider : IJobTenantProvider
{
    public ValueTask<string?> GetTenantAsync(HttpContext context) =>
        ValueTask.FromResult(context.User.FindFirst(ApiKeyAuthenticationHandler.TenantClaim)?.Value);
}
