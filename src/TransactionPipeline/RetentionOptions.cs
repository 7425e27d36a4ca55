namespace TransactionPipeline;

/// <summary>How long the pipeline keeps what jobs leave behind; the worker's retention sweep applies it.</summary>
/// <remarks>
/// Every time counts from the moment the job finished (or, for an <c>Idempotency-Key</c>, from its first use).
/// <see langword="null"/> keeps that kind of data forever. The sweep runs on one host at a time (a lease in the store)
/// and never touches a job that is still running.
/// </remarks>
public sealed class RetentionOptions
{
    /// <summary>Gets or sets how long a completed job keeps its raw rows; its status, events, aggregates and offers stay readable without them.</summary>
    /// <value>The default value is 24 hours.</value>
    public TimeSpan? CompletedJobRows { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets how long a completed job is kept at all, with its results, events and webhook subscriptions.</summary>
    /// <value>The default value is 30 days.</value>
    public TimeSpan? CompletedJobs { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Gets or sets how long a failed job (which never keeps rows) is kept with its error and events.</summary>
    /// <value>The default value is 7 days.</value>
    public TimeSpan? FailedJobs { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Gets or sets how long a submit's <c>Idempotency-Key</c> answers the job it made, from its first use.</summary>
    /// <value>The default value is 24 hours.</value>
    public TimeSpan IdempotencyKeys { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets how often the sweep runs.</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}
