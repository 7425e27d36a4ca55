namespace TransactionPipeline;

/// <summary>Keeps webhook subscriptions and how far each has been delivered, so a restart does not drop them.</summary>
/// <remarks>
/// Optional: a store that implements it next to the three required roles is picked up by
/// <see cref="TransactionPipelineBuilderExtensions.UseStorage{TStore}"/>; without one, the HTTP adapter keeps
/// subscriptions in memory. Registered as a singleton: implementations must be thread-safe.
/// </remarks>
public interface IWebhookStore
{
    /// <summary>Stores a new subscription.</summary>
    /// <param name="subscription">The subscription.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the subscription is durable.</returns>
    ValueTask SaveAsync(WebhookSubscription subscription, CancellationToken cancellationToken);

    /// <summary>Lists the subscriptions that still have events to deliver.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The unfinished subscriptions, oldest first.</returns>
    ValueTask<IReadOnlyList<WebhookSubscription>> ListUnfinishedAsync(CancellationToken cancellationToken);

    /// <summary>Deletes every subscription of a job, delivered or not; a job without any is not an error.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the subscriptions are gone.</returns>
    ValueTask DeleteForJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Records that every event of the job up to <paramref name="sequence"/> was handled.</summary>
    /// <param name="subscriptionId">The subscription id.</param>
    /// <param name="sequence">The last event sequence delivered or skipped.</param>
    /// <param name="finished"><see langword="true"/> when nothing is left to deliver (the terminal event was handled).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the progress is durable.</returns>
    ValueTask MarkDeliveredAsync(string subscriptionId, long sequence, bool finished, CancellationToken cancellationToken);
}
