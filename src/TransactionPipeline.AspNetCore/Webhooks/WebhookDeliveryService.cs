using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TransactionPipeline.AspNetCore.Http;

namespace TransactionPipeline.AspNetCore.Webhooks;

/// <summary>Delivers each registration's events, in order, with retries; every delivery is a task this service owns.</summary>
/// <remarks>
/// Each registration replays its job's event stream from the first event, so an event the job reached before the
/// registration is still delivered, and the order of deliveries is the order of the events.
/// </remarks>
internal sealed partial class WebhookDeliveryService : BackgroundService
{
    private readonly IPipeline _pipeline;
    private readonly WebhookRegistry _registry;
    private readonly TransactionPipelineHttpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDeliveryService> _logger;
    private readonly HttpClient _client;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _attempts;

    /// <summary>The meter the pipeline's instruments share (see docs/observability.md).</summary>
    private const string MeterName = "TransactionPipeline";
    private readonly HashSet<Task> _deliveries = [];
    private readonly Lock _deliveriesLock = new();

    public WebhookDeliveryService(
        IPipeline pipeline,
        WebhookRegistry registry,
        IOptions<TransactionPipelineHttpOptions> options,
        TimeProvider time,
        ILogger<WebhookDeliveryService> logger,
        IMeterFactory? meters = null)
    {
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _ownsMeter = meters is null;
        _outcomes = _meter.CreateCounter<long>(
            "transaction_pipeline.webhook.deliveries", "{delivery}", "Webhook messages that reached an end; tag outcome: delivered, given_up or refused.");
        _attempts = _meter.CreateCounter<long>("transaction_pipeline.webhook.attempts", "{attempt}", "Webhook requests sent, retries included.");
        _pipeline = pipeline;
        _registry = registry;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _client = CreateClient(_options);
    }

    public static HttpClient CreateClient(TransactionPipelineHttpOptions options) =>
        new(CreateHandler(options)) { Timeout = options.WebhookTimeout };

    internal static SocketsHttpHandler CreateHandler(TransactionPipelineHttpOptions options)
    {
        var allowPrivate = options.AllowPrivateWebhookTargets;
        return new SocketsHttpHandler
        {
            // A redirect would let a public receiver bounce the request to a private address.
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = options.WebhookTimeout,
            ConnectCallback = (context, cancellationToken) => WebhookTargetGuard.ConnectAsync(context.DnsEndPoint, allowPrivate, cancellationToken),
        };
    }

    public override void Dispose()
    {
        _client.Dispose();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Registrations a previous run of the host left unfinished are queued as soon as the store answers; each
            // resumes after its last handled event. A store that is down at start delays them, not the host.
            Track(ResumeStoredAsync(stoppingToken));
            await foreach (var registration in _registry.Pending.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                Track(DeliverAsync(registration, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the deliveries below see the same token.
        }

        Task[] running;
        lock (_deliveriesLock)
        {
            running = [.. _deliveries];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private void Track(Task delivery)
    {
        lock (_deliveriesLock)
        {
            _deliveries.Add(delivery);
        }

        _ = delivery.ContinueWith(
            finished =>
            {
                lock (_deliveriesLock)
                {
                    _deliveries.Remove(finished);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task ResumeStoredAsync(CancellationToken stoppingToken)
    {
        for (var failures = 1; ; failures++)
        {
            try
            {
                await _registry.ResumeStoredAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var delay = RetryDelay(failures);
                LogResumeFailed(_logger, ex, delay);
                if (!await DelayAsync(delay, stoppingToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    private async Task DeliverAsync(WebhookRegistration registration, CancellationToken stoppingToken)
    {
        // Leave the reading loop at once; the delivery runs on its own.
        await Task.Yield();
        var after = registration.DeliveredThrough;
        for (var failures = 1; ; failures++)
        {
            try
            {
                await foreach (var jobEvent in _pipeline.WatchAsync(registration.JobId, after, stoppingToken).ConfigureAwait(false))
                {
                    var terminal = JobEventTypes.IsTerminal(jobEvent.EventType);
                    var keepGoing = true;
                    if (registration.Events.Contains(jobEvent.EventType))
                    {
                        keepGoing = await SendAsync(registration, jobEvent, stoppingToken).ConfigureAwait(false);
                    }
                    else if (!terminal)
                    {
                        after = jobEvent.Sequence;
                        continue;
                    }

                    await _registry.MarkDeliveredAsync(registration, jobEvent.Sequence, terminal || !keepGoing, stoppingToken).ConfigureAwait(false);
                    after = jobEvent.Sequence;
                    failures = 1;
                    if (!keepGoing || terminal)
                    {
                        return;
                    }
                }

                // The stream ended without a terminal event: the job no longer exists. Nothing is left to deliver, so the
                // registration is finished instead of being resumed at every restart.
                await _registry.MarkDeliveredAsync(registration, after, finished: true, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                LogStoppedEarly(_logger, registration.Id, registration.JobId);
                return;
            }
            catch (Exception ex)
            {
                // The store failed under the watch or the bookkeeping: the registration waits and goes on after the
                // last event it handled, so no event is skipped (one may be sent again, with the same webhook-id).
                var delay = RetryDelay(failures);
                LogDeliveryInterrupted(_logger, ex, registration.Id, registration.JobId, delay);
                if (!await DelayAsync(delay, stoppingToken).ConfigureAwait(false))
                {
                    LogStoppedEarly(_logger, registration.Id, registration.JobId);
                    return;
                }
            }
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Sends one event until it is accepted or the attempts run out; <see langword="false"/> stops the registration.</summary>
    private async Task<bool> SendAsync(WebhookRegistration registration, JobEvent jobEvent, CancellationToken stoppingToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(JobEventResponse.From(jobEvent), PipelineJsonContext.Default.JobEventResponse);

        // The id stays the same across retries so that receivers can drop duplicates.
        var messageId = $"msg_{registration.Id}_{jobEvent.Sequence}";
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                using var request = CreateRequest(registration, messageId, body);
                _attempts.Add(1);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    LogDelivered(_logger, messageId, jobEvent.EventType, registration.Url, attempt);
                    _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", "delivered"));
                    return true;
                }

                failure = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException ex) when (ex.InnerException is WebhookTargetRefusedException refused)
            {
                LogRefused(_logger, registration.Id, refused.Message);
                _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
                return false;
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
            catch (TaskCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                failure = $"no answer within {_options.WebhookTimeout}";
            }

            if (attempt >= _options.WebhookMaxAttempts)
            {
                LogGaveUp(_logger, messageId, registration.Url, attempt, failure);
                _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", "given_up"));
                return true;
            }

            var delay = RetryDelay(attempt);
            LogRetrying(_logger, messageId, registration.Url, attempt, failure, delay);
            await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
        }
    }

    private HttpRequestMessage CreateRequest(WebhookRegistration registration, string messageId, byte[] body)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, registration.Url)
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version11,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(registration.Secret, messageId, timestamp, body));
        return request;
    }

    /// <summary>Exponential backoff, capped, with "equal jitter": half fixed, half random, so retries of many receivers spread out.</summary>
    internal TimeSpan RetryDelay(int attempt)
    {
        var exponential = _options.WebhookFirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, _options.WebhookMaxRetryDelay.TotalMilliseconds);
        var jitter = RandomNumberGenerator.GetInt32(0, 1_000_001) / 1_000_000d;
        return TimeSpan.FromMilliseconds((capped / 2) + (capped / 2 * jitter));
    }

    [LoggerMessage(1, LogLevel.Information, "Webhook {MessageId} ({EventType}) delivered to {Url} on attempt {Attempt}.")]
    private static partial void LogDelivered(ILogger logger, string messageId, string eventType, Uri url, int attempt);

    [LoggerMessage(2, LogLevel.Warning, "Webhook {MessageId} to {Url} failed on attempt {Attempt} ({Failure}); retrying in {Delay}.")]
    private static partial void LogRetrying(ILogger logger, string messageId, Uri url, int attempt, string failure, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Error, "Webhook {MessageId} to {Url} given up after {Attempts} attempts ({Failure}).")]
    private static partial void LogGaveUp(ILogger logger, string messageId, Uri url, int attempts, string failure);

    [LoggerMessage(4, LogLevel.Error, "Webhook registration {RegistrationId} refused by the forgery guard: {Reason}")]
    private static partial void LogRefused(ILogger logger, string registrationId, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Webhook registration {RegistrationId} of job {JobId} stopped before all its events were delivered.")]
    private static partial void LogStoppedEarly(ILogger logger, string registrationId, string jobId);

    [LoggerMessage(6, LogLevel.Error, "Webhook registration {RegistrationId} of job {JobId} could not read or record its events; it goes on in {Delay}.")]
    private static partial void LogDeliveryInterrupted(ILogger logger, Exception exception, string registrationId, string jobId, TimeSpan delay);

    [LoggerMessage(7, LogLevel.Error, "Stored webhook registrations could not be read; retrying in {Delay}.")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, TimeSpan delay);
}
