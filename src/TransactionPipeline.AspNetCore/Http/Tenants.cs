using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace TransactionPipeline.AspNetCore.Http;

/// <summary>The adapter's side of <see cref="IJobTenantProvider"/>: whose request this is, and whether a job is theirs.</summary>
internal sealed class Tenants(IEnumerable<IJobTenantProvider> providers)
{
    private readonly IJobTenantProvider? _provider = providers.LastOrDefault();

    /// <summary>Gets a value indicating whether the host has tenants.</summary>
    public bool Enabled => _provider is not null;

    /// <summary>The caller's tenant: <see langword="null"/> without tenants; the empty key for a caller without one.</summary>
    public async ValueTask<string?> OfAsync(HttpContext context) =>
        _provider is null ? null : await _provider.GetTenantAsync(context).ConfigureAwait(false) ?? string.Empty;

    /// <summary>
    /// Whether the caller may see the job: always without tenants, otherwise only a job of its own tenant. A job made
    /// before tenants were turned on has none and is nobody's, as it is absent from every tenant's list.
    /// </summary>
    public async ValueTask<bool> SeesAsync(HttpContext context, JobStatus job) =>
        _provider is null || job.Tenant == await OfAsync(context).ConfigureAwait(false);

    /// <summary>
    /// The filter of the routes under <c>/jobs/{jobId}/</c>: a job of another tenant answers <c>404</c>, as an unknown one
    /// does, before the route runs, so no route can leak whether it exists.
    /// </summary>
    public static async ValueTask<object?> OwnJobOnlyAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var tenants = context.RequestServices.GetRequiredService<Tenants>();
        if (tenants.Enabled && context.Request.RouteValues["jobId"] is string jobId)
        {
            var pipeline = context.RequestServices.GetRequiredService<IPipeline>();
            var job = await pipeline.GetStatusAsync(jobId, context.RequestAborted).ConfigureAwait(false);
            if (job is null || !await tenants.SeesAsync(context, job).ConfigureAwait(false))
            {
                return Problems.NotFound(jobId);
            }
        }

        return await next(invocation).ConfigureAwait(false);
    }
}
