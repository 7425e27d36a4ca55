using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TransactionPipeline.AspNetCore.Dashboard;

/// <summary>
/// Answers a dashboard file with its validator and caching rule: <c>304</c> when the browser's copy is current, the
/// content otherwise. Pages carry the security headers that keep them from loading anything of another site.
/// </summary>
internal sealed class StaticContentResult(DashboardAsset asset, string cacheControl, bool isPage) : IResult
{
    /// <summary>What a page may load and do: its own scripts, styles and API, nothing inline, nothing of another site.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = cacheControl;
        response.Headers.XContentTypeOptions = "nosniff";
        if (isPage)
        {
            response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            response.Headers["Referrer-Policy"] = "no-referrer";
        }

        if (IsCurrent(httpContext.Request.GetTypedHeaders().IfNoneMatch))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        if (!HttpMethods.IsHead(httpContext.Request.Method))
        {
            await response.Body.WriteAsync(asset.Content, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    private bool IsCurrent(IList<EntityTagHeaderValue> ifNoneMatch)
    {
        var etag = EntityTagHeaderValue.Parse(asset.ETag);
        return ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false));
    }
}
