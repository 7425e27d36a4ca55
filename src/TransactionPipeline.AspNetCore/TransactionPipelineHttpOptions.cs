using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TransactionPipeline;

/// <summary>Options of the HTTP adapter: upload limits, the event stream's heartbeat and webhook delivery.</summary>
public sealed class TransactionPipelineHttpOptions
{
    /// <summary>Gets or sets the slowest upload the submit route accepts, in bytes per second, once the grace period has passed.</summary>
    /// <remarks>Only the body-size limit is lifted for the submit route; a client that stalls is still cut off.</remarks>
    /// <value>The default value is 1,024.</value>
    [Range(1, 1024 * 1024 * 1024)]
    public double MinUploadBytesPerSecond { get; set; } = 1024;

    /// <summary>Gets or sets how long an upload may run below <see cref="MinUploadBytesPerSecond"/> before it is cut off.</summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan MinUploadGracePeriod { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets how long a resumable upload may wait for its next PATCH before its job fails as <c>upload_expired</c>.</summary>
    /// <remarks>
    /// The clock starts when the upload is created and again when each PATCH ends; it does not run while one is writing.
    /// Responses say when it runs out in <c>Upload-Expires</c>. The job's import holds its store transaction open while it
    /// waits, so keep this to what a client needs to come back after a dropped connection.
    /// </remarks>
    /// <value>The default value is 15 minutes.</value>
    public TimeSpan UploadExpiry { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets how often an idle event stream sends a <c>: keep-alive</c> comment.</summary>
    /// <remarks>Keeps proxies and load balancers from closing a stream that has nothing to say for a while.</remarks>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan EventStreamHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets a value indicating whether webhooks may target loopback, private and link-local addresses, and plain <c>http</c>.</summary>
    /// <remarks>
    /// Off by default: a registration is a request the server makes on a caller's behalf, so without this guard any
    /// caller could make the server reach its own internal network (server-side request forgery). Turn it on for
    /// development and for receivers that live inside the same private network.
    /// </remarks>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowPrivateWebhookTargets { get; set; }

    /// <summary>Gets or sets how many times one webhook message is sent before it is given up.</summary>
    /// <value>
    /// The default value is 12: with the default delays, a receiver that is down for up to about a quarter of an hour
    /// (at least 13 minutes, whatever the jitter) still gets every event.
    /// </value>
    [Range(1, 100)]
    public int WebhookMaxAttempts { get; set; } = 12;

    /// <summary>Gets or sets the wait before the first retry; each further retry waits twice as long, with jitter.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan WebhookFirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest wait between two attempts.</summary>
    /// <value>The default value is 10 minutes.</value>
    public TimeSpan WebhookMaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how long one attempt may take before it counts as failed.</summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets how many webhook registrations may be delivering at once before the health check reports it.</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, int.MaxValue)]
    public int WebhookBacklogLimit { get; set; } = 10_000;
}

[OptionsValidator]
internal sealed partial class TransactionPipelineHttpOptionsValidator : IValidateOptions<TransactionPipelineHttpOptions>
{
}

internal sealed class TransactionPipelineHttpOptionsCustomValidator : IValidateOptions<TransactionPipelineHttpOptions>
{
    public ValidateOptionsResult Validate(string? name, TransactionPipelineHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckRange(failures, nameof(options.MinUploadGracePeriod), options.MinUploadGracePeriod, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        CheckRange(failures, nameof(options.UploadExpiry), options.UploadExpiry, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(7));
        CheckRange(failures, nameof(options.EventStreamHeartbeat), options.EventStreamHeartbeat, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        CheckRange(failures, nameof(options.WebhookFirstRetryDelay), options.WebhookFirstRetryDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        CheckRange(failures, nameof(options.WebhookMaxRetryDelay), options.WebhookMaxRetryDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));
        CheckRange(failures, nameof(options.WebhookTimeout), options.WebhookTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        if (options.WebhookFirstRetryDelay > options.WebhookMaxRetryDelay)
        {
            failures.Add(
                $"WebhookFirstRetryDelay ({options.WebhookFirstRetryDelay}) must not exceed WebhookMaxRetryDelay ({options.WebhookMaxRetryDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRange(List<string> failures, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{name} is {value}; it must be between {min} and {max}.");
        }
    }
}
