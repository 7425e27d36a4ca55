using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.AspNetCore.Http;
using TransactionPipeline.AspNetCore.Webhooks;

namespace Microsoft.AspNetCore.Routing;

/// <summary>Maps the transaction pipeline's HTTP API.</summary>
public static class TransactionPipelineEndpointRouteBuilderExtensions
{
    /// <summary>Maps the submit, status, offers, events and webhook endpoints under <c>/api</c>.</summary>
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
            .WithName("ProcessTransactions")
            .WithSummary("Streams a transaction file into a new job and answers once it is imported.")
            // Read as JSON whatever the Content-Type says: curl -d sends a form type, and the reader validates every byte anyway.
            .Accepts<Stream>("application/json", "application/octet-stream", "*/*")
            .Produces<SubmitResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

        api.MapGet("/jobs/", JobEndpoints.ListAsync)
            .WithName("ListJobs")
            .WithSummary("Lists jobs newest first, filtered by status and creation time, a page at a time (query: status, created_after, limit, cursor).")
            .Produces<JobListResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapDelete("/jobs/{jobId}/", JobEndpoints.CancelAsync)
            .WithName("CancelJob")
            .WithSummary("Cancels an unfinished job, on whichever host runs it; it ends FAILED with kind cancelled.")
            .Produces<JobStatusResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/jobs/{jobId}/status/", JobEndpoints.GetStatusAsync)
            .WithName("GetJobStatus")
            .WithSummary("Reads a job's state, stage, progress and error.")
            .Produces<JobStatusResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/jobs/{jobId}/offers/", JobEndpoints.GetOffersAsync)
            .WithName("GetJobOffers")
            .WithSummary("Reads a completed job's offers and credit model results.")
            .Produces<OffersResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/jobs/{jobId}/events/", JobEndpoints.GetEventsAsync)
            .WithName("GetJobEvents")
            .WithSummary("Streams a job's events as Server-Sent Events until its terminal event.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/jobs/webhooks/register/", WebhookEndpoints.RegisterAsync)
            .WithName("RegisterJobWebhook")
            .WithSummary("Registers a URL that receives a job's events, signed the Standard Webhooks way.")
            .Accepts<WebhookRegistrationRequest>("application/json", "*/*")
            .Produces<WebhookRegistrationResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }
}
