namespace TransactionPipeline;

/// <summary>A snapshot of one job: its state, stage, progress and, when it failed, its error.</summary>
public sealed record JobStatus
{
    /// <summary>Gets the job id, in the form <c>pipeline_20241201_001</c>.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets the life-cycle state.</summary>
    public required JobState State { get; init; }

    /// <summary>Gets the current stage, or the last one that ran.</summary>
    public required PipelineStage Stage { get; init; }

    /// <summary>Gets the progress counts.</summary>
    public JobProgress Progress { get; init; } = JobProgress.None;

    /// <summary>Gets when the job was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the job last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets when the job reached <see cref="JobState.JobComplete"/> or <see cref="JobState.Failed"/>.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets the owner key of the tenant the job belongs to, or <see langword="null"/> when the host has no tenants.</summary>
    /// <remarks>Set when the job is created (<see cref="PipelineInput.Tenant"/>) and never changed; stores keep it apart from the snapshot.</remarks>
    public string? Tenant { get; init; }

    /// <summary>Gets the error of a failed job.</summary>
    public JobError? Error { get; init; }

    /// <summary>Gets a value indicating whether the job has reached a terminal state.</summary>
    public bool IsTerminal => State is JobState.JobComplete or JobState.Failed;
}

/// <summary>How far a job has got.</summary>
/// <param name="TransactionsImported">Transactions read, validated and stored.</param>
/// <param name="BytesRead">Bytes of input consumed.</param>
/// <param name="BytesTotal">The input's length when it was known up front.</param>
/// <param name="AggregatesCreated">Daily aggregates computed.</param>
/// <param name="OffersGenerated">Offers generated.</param>
/// <remarks>A new field arrives as an init property in the body, never as a positional parameter, so no caller breaks.</remarks>
public sealed record JobProgress(
    long TransactionsImported,
    long BytesRead,
    long? BytesTotal,
    int AggregatesCreated,
    int OffersGenerated)
{
    /// <summary>Gets the progress of a job that has not started.</summary>
    public static JobProgress None { get; } = new(0, 0, null, 0, 0);
}

/// <summary>What made a job fail, and where.</summary>
/// <param name="Kind">The kind of failure.</param>
/// <param name="Message">A sentence that says what is wrong.</param>
/// <param name="ItemIndex">The zero-based index in <c>data</c> of the offending transaction, when there is one.</param>
/// <param name="ByteOffset">The byte offset in the input where the problem was found, when the input was the cause.</param>
/// <param name="Path">The JSON path of the offending value, for example <c>$.data[12].amount</c>.</param>
/// <remarks>A new field arrives as an init property in the body, never as a positional parameter, so no caller breaks.</remarks>
public sealed record JobError(JobErrorKind Kind, string Message, long? ItemIndex = null, long? ByteOffset = null, string? Path = null);

/// <summary>The kinds of job failure.</summary>
public enum JobErrorKind
{
    /// <summary>The input is malformed, truncated, or holds a value that breaks the contract.</summary>
    InvalidInput,

    /// <summary>Someone asked: the caller's token fired, or the job was cancelled through <see cref="IPipeline.CancelAsync"/>.</summary>
    Cancelled,

    /// <summary>The process that ran the job really stopped (it was killed or crashed) while the job was importing; the input is gone and must be resubmitted.</summary>
    Interrupted,

    /// <summary>A stage or plug-in threw, or a store failed for a reason that is neither of the two below.</summary>
    StageFailed,

    /// <summary>The store could not be reached or stopped answering.</summary>
    StoreUnavailable,

    /// <summary>The store ran out of space.</summary>
    StorageFull,

    /// <summary>The client sending the input went away before its end (see <see cref="InputAbortedException"/>).</summary>
    ClientDisconnected,

    /// <summary>The host shut down while the job was importing; the input is gone and must be resubmitted.</summary>
    HostShutdown,

    /// <summary>The input's upload stayed idle longer than its expiry before its last byte (see <see cref="UploadExpiredException"/>).</summary>
    UploadExpired,
}
