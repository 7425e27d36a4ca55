using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline;
using TransactionPipeline.AspNetCore.Dashboard;

namespace Microsoft.AspNetCore.Routing;

/// <summary>Maps the transaction pipeline's dashboard: web pages to watch and manage jobs.</summary>
public static class TransactionPipelineDashboardEndpointRouteBuilderExtensions
{
    /// <summary>Maps the dashboard's pages, assets and data under <paramref name="pattern"/>.</summary>
    /// <param name="endpoints">The application's endpoint route builder.</param>
    /// <param name="pattern">The prefix of the dashboard's paths; the jobs page answers at the prefix itself, a job's page at <c>{pattern}/jobs/{job_id}</c>.</param>
    /// <param name="configure">Sets the dashboard's options.</param>
    /// <returns>The group of all the dashboard's endpoints, to add conventions to all of them; <c>.RequireAuthorization(...)</c> opens the dashboard to other machines under the host's policy.</returns>
    /// <remarks>
    /// <para>
    /// The pages call the pipeline's HTTP API from the browser (list, status, offers, events, cancel and delete), found by
    /// its route names wherever <c>MapTransactionPipeline()</c> mapped it, so the API's own conventions (authorization,
    /// tenants, rate limits) apply to everything the dashboard shows and does. Map both, with the same authorization.
    /// </para>
    /// <para>
    /// By default only requests from this machine are answered: see <see cref="TransactionPipelineDashboardOptions.AllowRemoteRequests"/>.
    /// Every asset (HTML, CSS, JavaScript, the chart) is embedded in this assembly and served with an <c>ETag</c> and
    /// <c>Cache-Control</c>; the pages load nothing from another site.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> does not start with <c>/</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    /// <exception cref="InvalidOperationException">The pipeline's services were not registered.</exception>
    public static RouteGroupBuilder MapTransactionPipelineDashboard(
        this IEndpointRouteBuilder endpoints, string pattern = "/pipeline", Action<TransactionPipelineDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        if (!pattern.StartsWith('/'))
        {
            throw new ArgumentException($"The dashboard's pattern '{pattern}' must start with '/', for example \"/pipeline\".", nameof(pattern));
        }

        if (endpoints.ServiceProvider.GetService<IPipeline>() is null)
        {
            throw new InvalidOperationException(
                "MapTransactionPipelineDashboard() needs the pipeline's services and its HTTP API: call "
                + "services.AddTransactionPipeline().UseSqlite(...).AddHttpAdapter() and app.MapTransactionPipeline() as well.");
        }

        var options = new TransactionPipelineDashboardOptions();
        configure?.Invoke(options);
        options.Validate();

        var access = new DashboardAccess(options.AllowRemoteRequests);
        var pages = new DashboardPages(DashboardAssets.Load(), options);
        var dashboard = endpoints.MapGroup(pattern).ExcludeFromDescription();
        dashboard.AddEndpointFilter(access.CheckAsync);
        dashboard.MapGet("/", pages.Jobs);
        dashboard.MapGet("/jobs/{jobId}", pages.Job);
        dashboard.MapGet("/assets/{name}", pages.Asset);
        dashboard.MapGet("/data/jobs/{jobId}/daily", DailyTotalsEndpoint.GetAsync);
        return dashboard;
    }
}
