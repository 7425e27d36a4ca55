namespace TransactionPipeline;

/// <summary>One entry of a job's event stream.</summary>
/// <param name="Sequence">The event's position in its job's stream, starting at 1.</param>
/// <param name="EventType">The event type; see <see cref="JobEventTypes"/>.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Status">The job as it was when the event happened.</param>
public sealed record JobEvent(long Sequence, string EventType, DateTimeOffset Timestamp, JobStatus Status);

/// <summary>The event types a job emits, in the order they happen.</summary>
public static class JobEventTypes
{
    /// <summary>The job was created (state <c>OPEN</c>).</summary>
    public const string JobCreated = "JOB_CREATED";

    /// <summary>The import stage started reading the input.</summary>
    public const string ImportStarted = "IMPORT_STARTED";

    /// <summary>Periodic import progress (at most once per <c>ProgressInterval</c>).</summary>
    public const string ImportProgress = "IMPORT_PROGRESS";

    /// <summary>Every transaction was read, validated and stored.</summary>
    public const string ImportCompleted = "IMPORT_COMPLETED";

    /// <summary>Daily aggregates were computed.</summary>
    public const string AggregationCompleted = "AGGREGATION_COMPLETED";

    /// <summary>The credit model scored every aggregated date.</summary>
    public const string CreditModelCompleted = "CREDIT_MODEL_COMPLETED";

    /// <summary>Offers were generated.</summary>
    public const string OffersGenerated = "OFFERS_GENERATED";

    /// <summary>Terminal: the job finished and its offers are ready.</summary>
    public const string JobComplete = "JOB_COMPLETE";

    /// <summary>Terminal: the job failed.</summary>
    public const string Failed = "FAILED";

    /// <summary>Gets every event type, in the order a job that completes emits them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        JobCreated, ImportStarted, ImportProgress, ImportCompleted, AggregationCompleted, CreditModelCompleted, OffersGenerated, JobComplete, Failed,
    ];

    /// <summary>Returns whether <paramref name="eventType"/> ends a job's stream.</summary>
    /// <param name="eventType">An event type.</param>
    /// <returns><see langword="true"/> for <see cref="JobComplete"/> and <see cref="Failed"/>.</returns>
    public static bool IsTerminal(string eventType) => eventType is JobComplete or Failed;
}
