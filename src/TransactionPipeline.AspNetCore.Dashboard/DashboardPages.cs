using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TransactionPipeline.AspNetCore.Dashboard;

/// <summary>
/// The dashboard's pages and files. A page is its template with the request's paths and the options filled in; the
/// scripts read them from the page, so nothing is inline and no path is assumed.
/// </summary>
internal sealed class DashboardPages
{
    /// <summary>The route name of <c>GET /api/jobs/</c>, which the pipeline's HTTP API gives its list route.</summary>
    public const string ListJobsRouteName = "ListJobs";

    // A file named by its version may be kept for good; without the version (or with an old one) it must be revalidated.
    private const string Immutable = "public, max-age=31536000, immutable";
    private const string Revalidate = "no-cache";

    private readonly DashboardAssets _assets;
    private readonly TransactionPipelineDashboardOptions _options;
    private readonly string _jobsTemplate;
    private readonly string _jobTemplate;

    public DashboardPages(DashboardAssets assets, TransactionPipelineDashboardOptions options)
    {
        _assets = assets;
        _options = options;
        _jobsTemplate = Versioned(assets, "jobs.html");
        _jobTemplate = Versioned(assets, "job.html");
    }

    /// <summary>The jobs page, at the dashboard's prefix.</summary>
    public IResult Jobs(HttpContext context, LinkGenerator links)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        return Page(context, links, _jobsTemplate, path.TrimEnd('/'), jobId: string.Empty);
    }

    /// <summary>One job's page, at <c>{prefix}/jobs/{jobId}</c>; the page itself says when the job does not exist.</summary>
    public IResult Job(string jobId, HttpContext context, LinkGenerator links)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var prefix = path[..path.LastIndexOf("/jobs/", StringComparison.OrdinalIgnoreCase)];
        return Page(context, links, _jobTemplate, prefix, jobId);
    }

    /// <summary>A stylesheet, script or icon of the pages.</summary>
    public IResult Asset(string name, HttpContext context)
    {
        if (_assets.Find(name) is not { } asset)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dashboard file.", detail: $"The dashboard has no file '{name}'.");
        }

        var versioned = string.Equals(context.Request.Query["v"], asset.Version, StringComparison.Ordinal);
        return new StaticContentResult(asset, versioned ? Immutable : Revalidate, isPage: false);
    }

    private IResult Page(HttpContext context, LinkGenerator links, string template, string prefix, string jobId)
    {
        if (links.GetPathByName(context, ListJobsRouteName, new RouteValueDictionary()) is not { } api)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: "The dashboard needs the pipeline's HTTP API.",
                detail: "The pages read jobs through the API's routes: call app.MapTransactionPipeline() as well as app.MapTransactionPipelineDashboard().");
        }

        var basePath = (context.Request.PathBase + new PathString(prefix)).ToUriComponent();
        var html = new StringBuilder(template)
            .Replace("{{base}}", HtmlEncoder.Default.Encode(basePath))
            .Replace("{{api}}", HtmlEncoder.Default.Encode(api))
            .Replace("{{jobId}}", HtmlEncoder.Default.Encode(jobId))
            .Replace("{{pageSize}}", _options.PageSize.ToString(CultureInfo.InvariantCulture))
            .Replace("{{refreshMs}}", ((long)_options.RefreshInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))
            .ToString();
        return new StaticContentResult(DashboardAssets.Describe("page.html", Encoding.UTF8.GetBytes(html)), Revalidate, isPage: true);
    }

    /// <summary>The template with every <c>{{v:NAME}}</c> replaced by that file's version, which changes with its content.</summary>
    private static string Versioned(DashboardAssets assets, string name)
    {
        var template = new StringBuilder(Encoding.UTF8.GetString(assets.Template(name).Content));
        foreach (var asset in assets.Served)
        {
            template.Replace($"{{{{v:{asset.Name}}}}}", asset.Version);
        }

        return template.ToString();
    }
}
