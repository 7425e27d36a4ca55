using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TransactionPipeline.AspNetCore.Http;

/// <summary>The answers of the API's own failures: problem details, never an empty body.</summary>
internal static partial class ErrorResponses
{
    /// <summary>
    /// Turns an exception that escapes an endpoint into a problem: <c>503</c> when the store cannot be reached, <c>507</c>
    /// when it is full, <c>500</c> otherwise, with the job id of the route when there is one. The exception is logged.
    /// </summary>
    public static async ValueTask<object?> CatchAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.HttpContext.Response.HasStarted && !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            var http = context.HttpContext;
            var services = http.RequestServices;
            var jobId = http.GetRouteValue("jobId") as string;
            var kind = Classify(ex, services.GetServices<IStoreErrorClassifier>());
            LogFailed(services.GetRequiredService<ILoggerFactory>().CreateLogger("TransactionPipeline.AspNetCore"), ex, http.Request.Method, http.Request.Path, jobId);
            var (status, title) = kind switch
            {
                JobErrorKind.StoreUnavailable => (StatusCodes.Status503ServiceUnavailable, "The job store is unavailable; try again shortly."),
                JobErrorKind.StorageFull => (StatusCodes.Status507InsufficientStorage, "The job store is out of space."),
                _ => (StatusCodes.Status500InternalServerError, "The request failed on the server."),
            };
            var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (jobId is not null)
            {
                extensions["job_id"] = jobId;
            }

            if (kind is { } known)
            {
                extensions["error_kind"] = WireNames.Of(known);
            }

            return TypedResults.Problem(statusCode: status, title: title, detail: kind is null ? null : ex.Message, extensions: extensions);
        }
    }

    /// <summary>Answers a path under the API's prefix that is none of its routes.</summary>
    public static IResult NotARoute(HttpContext context) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "No such route.",
        detail: $"{context.Request.Method} {context.Request.PathBase}{context.Request.Path} is not a route of the transaction pipeline API.");

    private static JobErrorKind? Classify(Exception exception, IEnumerable<IStoreErrorClassifier> classifiers)
    {
        var all = classifiers.ToArray();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            foreach (var classifier in all)
            {
                if (classifier.Classify(current) is { } kind)
                {
                    return kind;
                }
            }
        }

        return null;
    }

    [LoggerMessage(1, LogLevel.Error, "{Method} {Path} failed (job {JobId}).")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, PathString path, string? jobId);
}
