using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TransactionPipeline.AspNetCore.Http;

namespace TransactionPipeline.AspNetCore.Webhooks;

internal static class WebhookEndpoints
{
    private static readonly HashSet<string> KnownEvents = new(JobEventTypes.All, StringComparer.Ordinal);

    public static async Task<Results<JsonHttpResult<WebhookRegistrationResponse>, ProblemHttpResult>> RegisterAsync(
        HttpRequest request,
        IPipeline pipeline,
        [FromServices] WebhookRegistry registry,
        [FromServices] Tenants tenants,
        IOptions<TransactionPipelineHttpOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        WebhookRegistrationRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(request.Body, PipelineJsonContext.Default.WebhookRegistrationRequest, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Problems.BadRequest("The registration is not valid JSON.", ex.Message);
        }

        if (body?.JobId is not { Length: > 0 } jobId)
        {
            return Problems.BadRequest("Invalid webhook registration.", "job_id is required.");
        }

        if (WebhookTargetGuard.Validate(body.WebhookUrl, options.Value.AllowPrivateWebhookTargets, out var url) is { } refusal)
        {
            return Problems.BadRequest("Invalid webhook_url.", refusal);
        }

        if (body.Events is not { Length: > 0 } events)
        {
            return Problems.BadRequest("Invalid events.", $"events must list one or more of {string.Join(", ", KnownEvents)}.");
        }

        if (events.FirstOrDefault(e => !KnownEvents.Contains(e)) is { } unknown)
        {
            return Problems.BadRequest("Invalid events.", $"'{unknown}' is not an event; use one or more of {string.Join(", ", KnownEvents)}.");
        }

        if (await pipeline.GetStatusAsync(jobId, cancellationToken).ConfigureAwait(false) is not { } job
            || !await tenants.SeesAsync(request.HttpContext, job).ConfigureAwait(false))
        {
            return Problems.NotFound(jobId);
        }

        var registration = new WebhookRegistration(
            $"wh_{Guid.NewGuid():N}", jobId, url!, new HashSet<string>(events, StringComparer.Ordinal), WebhookSignature.NewSecret(), time.GetUtcNow());
        await registry.AddAsync(registration, cancellationToken).ConfigureAwait(false);
        var response = new WebhookRegistrationResponse(
            registration.Id,
            jobId,
            url!.ToString(),
            [.. registration.Events],
            registration.Secret,
            registration.CreatedAt,
            "Standard Webhooks: webhook-signature = v1,base64(HMAC-SHA256(secret, webhook-id.webhook-timestamp.body))");
        return TypedResults.Json(response, PipelineJsonContext.Default.WebhookRegistrationResponse, statusCode: StatusCodes.Status201Created);
    }
}
