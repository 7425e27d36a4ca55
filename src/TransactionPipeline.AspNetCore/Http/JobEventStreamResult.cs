using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace TransactionPipeline.AspNetCore.Http;

/// <summary>Writes a job's events as <c>text/event-stream</c>, with heartbeats while the job is quiet.</summary>
/// <remarks>
/// Written by hand rather than with <c>TypedResults.ServerSentEvents</c>, which cannot send comment lines: the
/// heartbeat must be a comment so that clients do not see it as an event.
/// </remarks>
internal sealed class JobEventStreamResult(IPipeline pipeline, string jobId, long afterSequence, TimeSpan heartbeat, TimeProvider time)
    : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    private static readonly byte[] Heartbeat = ": keep-alive\n\n"u8.ToArray();

    public int? StatusCode => StatusCodes.Status200OK;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken).ConfigureAwait(false);

        var events = pipeline.WatchAsync(jobId, afterSequence, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = events.MoveNextAsync().AsTask();
        try
        {
            while (true)
            {
                if (!next.IsCompleted && !await CompletesBeforeHeartbeatAsync(next).ConfigureAwait(false))
                {
                    await response.Body.WriteAsync(Heartbeat, cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                var jobEvent = events.Current;
                await WriteEventAsync(response, jobEvent, cancellationToken).ConfigureAwait(false);
                if (JobEventTypes.IsTerminal(jobEvent.EventType))
                {
                    break;
                }

                next = events.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; there is nobody left to tell.
        }
        finally
        {
            // An async iterator must not be disposed while a MoveNextAsync is pending; the request token ends it soon.
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await events.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> CompletesBeforeHeartbeatAsync(Task<bool> next)
    {
        using var delayCancellation = new CancellationTokenSource();
        var delay = Task.Delay(heartbeat, time, delayCancellation.Token);
#pragma warning disable VSTHRD003 // next is the pending MoveNextAsync of this stream; it was started by ExecuteAsync, not elsewhere.
        var winner = await Task.WhenAny(next, delay).ConfigureAwait(false);
#pragma warning restore VSTHRD003
        await delayCancellation.CancelAsync().ConfigureAwait(false);
        return winner == next;
    }

    internal static async Task WriteEventAsync(HttpResponse response, JobEvent jobEvent, CancellationToken cancellationToken)
    {
        // Compact JSON never contains a raw newline (strings escape it), so each event's data is exactly one line.
        var data = JsonSerializer.SerializeToUtf8Bytes(JobEventResponse.From(jobEvent), PipelineJsonContext.Default.JobEventResponse);
        var header = System.Text.Encoding.UTF8.GetBytes($"id: {jobEvent.Sequence}\nevent: {jobEvent.EventType}\ndata: ");
        await response.Body.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
