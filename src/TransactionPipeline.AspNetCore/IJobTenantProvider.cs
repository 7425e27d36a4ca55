using Microsoft.AspNetCore.Http;

namespace TransactionPipeline;

/// <summary>Says which tenant a request acts for: the owner key of the jobs it submits and the only jobs it may see.</summary>
/// <remarks>
/// <para>
/// Optional. Without one registered, every caller sees every job. With one (register it as a singleton), each job
/// keeps the key of the tenant that submitted it (<see cref="JobStatus.Tenant"/>); every job route answers
/// <c>404</c> for a job of another tenant, as it does for an unknown one, lists show only the caller's jobs, and
/// <c>Idempotency-Key</c>s are per tenant.
/// </para>
/// <para>
/// The adapter calls it once per request, after authentication: the usual source is a claim of
/// <see cref="HttpContext.User"/>, with the routes behind <c>RequireAuthorization()</c>. A caller for which it
/// answers <see langword="null"/> is the tenant with no key: it sees only the jobs of other callers without one.
/// </para>
/// </remarks>
public interface IJobTenantProvider
{
    /// <summary>Returns the tenant of the request's caller.</summary>
    /// <param name="context">The request.</param>
    /// <returns>The tenant's owner key, or <see langword="null"/> for the caller with none.</returns>
    ValueTask<string?> GetTenantAsync(HttpContext context);
}
