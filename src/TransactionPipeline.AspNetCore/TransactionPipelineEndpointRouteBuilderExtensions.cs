using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.AspNetCore.Http;
using TransactionPipeline.AspNetCore.Uploads;
using TransactionPipeline.AspNetCore.Webhooks;

namespace Microsoft.AspNetCore.Routing;

/// <summary>Maps the transaction pipeline's HTTP API.</summary>
public static class TransactionPipelineEndpointRouteBuilderExtensions
{
    /// <summary>Maps the submit, resumable upload (tus 1.0), job, events and webhook endpoints under <c>/api</c>.</summary>
    /// <param name="endpoints">The application's endpoint route builder.</param>
    /// <returns>The group of all the endpoints, to add conventions (authorization, rate limiting, a prefix) to all of them.</returns>
    /// <remarks>
    /// Register the services first with <c>services.AddTransactionPipeline().Use…Storage().AddHttpAdapter()</c>.
    /// Routes are written with the trailing slash of the seed's design; the same path without it matches as well.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddHttpAdapter()</c> was not called on the pipeline's builder.</exception>
    public static RouteGroupBuilder MapTransactionPipeline(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<WebhookRegistry>() is null)
        {
            throw new InvalidOperationException(
                "MapTransactionPipeline() needs the adapter's services: call "
                + "services.AddTransactionPipeline().UseSqlite(...).AddHttpAdapter() (or UseInMemoryStorage() from TransactionPipeline.Testing in tests) first.");
        }
        var api = endpoints.MapGroup("/api").WithTags("Transaction pipeline");

        // Every failure of the API answers problem details: an exception escaping a route, and a path under the prefix
        // that is no route (including the ones the server arrived at by normalising "..").
        api.AddEndpointFilter(ErrorResponses.CatchAsync);
        api.MapFallback("{**path}", ErrorResponses.NotARoute).ExcludeFromDescription();

        api.MapPost("/financial-transactions/process-transactions/", SubmitEndpoint.SubmitAsync)
            .Describe("ProcessTransactions",
                "Streams a transaction file into a new job and answers once it is imported. With an Idempotency-Key header, a retry of the same body answers the first job (409 while it is still uploading, 422 for another body).",
                StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status500InternalServerError)
            // Read as JSON whatever the Content-Type says: curl -d sends a form type, and the reader validates every byte anyway.
            .Accepts<Stream>("application/json", "application/octet-stream", "*/*")
            .Produces<SubmitResponse>(StatusCodes.Status202Accepted);

        UploadEndpoints.Map(api);

        api.MapGet("/jobs/", JobEndpoints.ListAsync)
            .Describe("ListJobs", "Lists jobs newest first, filtered by status and creation time, a page at a time (query: status, created_after, created_before, limit, cursor).",
                StatusCodes.Status400BadRequest)
            .Produces<JobListResponse>();

        api.MapDelete("/jobs/{jobId}/", JobEndpoints.DeleteAsync)
            .AddEndpointFilter(Tenants.OwnJobOnlyAsync)
            .Describe("DeleteJob", "Cancels an unfinished job on whichever host runs it (202; it ends FAILED with kind cancelled), or deletes a finished one with its rows, results, events and webhooks (204); with cancel_only=true a finished job answers 409 and is kept.",
                StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .Produces<JobStatusResponse>(StatusCodes.Status202Accepted)
            .Produces(StatusCodes.Status204NoContent);

        api.MapGet("/jobs/{jobId}/status/", JobEndpoints.GetStatusAsync)
            .AddEndpointFilter(Tenants.OwnJobOnlyAsync)
            .Describe("GetJobStatus", "Reads a job's state, stage, progress and error.", StatusCodes.Status404NotFound)
            .Produces<JobStatusResponse>();

        api.MapGet("/jobs/{jobId}/offers/", JobEndpoints.GetOffersAsync)
            .AddEndpointFilter(Tenants.OwnJobOnlyAsync)
            .Describe("GetJobOffers", "Reads a completed job's offers and credit model results.",
                StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .Produces<OffersResponse>();

        api.MapGet("/jobs/{jobId}/events/", JobEndpoints.GetEventsAsync)
            .AddEndpointFilter(Tenants.OwnJobOnlyAsync)
            .Describe("GetJobEvents", "Streams a job's events as Server-Sent Events until its terminal event.",
                StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);

        api.MapPost("/jobs/webhooks/register/", WebhookEndpoints.RegisterAsync)
            .Describe("RegisterJobWebhook", "Registers a URL that receives a job's events, signed the Standard Webhooks way.",
                StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .Accepts<WebhookRegistrationRequest>("application/json", "*/*")
            .Produces<WebhookRegistrationResponse>(StatusCodes.Status201Created);

        return api;
    }

    /// <summary>Names a route for OpenAPI and links, with its summary and the problem statuses it can answer.</summary>
    private static RouteHandlerBuilder Describe(this RouteHandlerBuilder route, string name, string summary, params int[] problemStatuses)
    {
        route.WithName(name).WithSummary(summary);
        foreach (var status in problemStatuses)
        {
            route.ProducesProblem(status);
        }

        return route;
    }
}
