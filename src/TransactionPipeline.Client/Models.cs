using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransactionPipeline.Client;

/// <summary>The answer to a submitted file: the job and where to follow it.</summary>
public sealed record SubmittedJob
{
    /// <summary>Gets the job id, for example <c>pipeline_20241201_001</c>.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets the job's status after import: <c>IN_PROGRESS</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Gets the path of the job's status.</summary>
    public required string StatusUrl { get; init; }

    /// <summary>Gets the path of the job's offers.</summary>
    public required string OffersUrl { get; init; }

    /// <summary>Gets the path of the job's event stream.</summary>
    public string? EventsUrl { get; init; }

    /// <summary>Gets the server's estimate of the time left, for people.</summary>
    public string? EstimatedDuration { get; init; }
}

/// <summary>A job's status.</summary>
public sealed record JobStatusReport
{
    /// <summary>Gets the job id.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets the state: <c>OPEN</c>, <c>IN_PROGRESS</c>, <c>JOB_COMPLETE</c> or <c>FAILED</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Gets the stage: <c>import</c>, <c>aggregate</c>, <c>credit_model</c>, <c>offers</c> or <c>completed</c>.</summary>
    public required string CurrentStage { get; init; }

    /// <summary>Gets the progress counts.</summary>
    public required JobProgressReport Progress { get; init; }

    /// <summary>Gets when the job was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the job last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets when the job reached its terminal state, if it has.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets the error of a failed job.</summary>
    public JobErrorReport? Error { get; init; }

    /// <summary>Gets the job's resumable upload while the host that answered receives it, or <see langword="null"/>.</summary>
    public UploadStateReport? Upload { get; init; }

    /// <summary>Gets a value indicating whether the job is <c>JOB_COMPLETE</c> or <c>FAILED</c>.</summary>
    [JsonIgnore]
    public bool IsTerminal => Status is "JOB_COMPLETE" or "FAILED";
}

/// <summary>A job's resumable upload as the status route reports it.</summary>
/// <param name="State">
/// <c>waiting</c> for the next PATCH (the import waits too), <c>receiving</c> one, <c>complete</c>, or <c>closing</c>
/// (expired, terminated, or its host is stopping).
/// </param>
/// <param name="BytesReceived">The bytes the server has taken.</param>
/// <param name="UploadLength">The upload's length, or <see langword="null"/> while the client defers it.</param>
/// <param name="ExpiresAt">When the upload expires unless a PATCH comes first; <see langword="null"/> once complete or closing.</param>
public sealed record UploadStateReport(string State, long BytesReceived, long? UploadLength, DateTimeOffset? ExpiresAt);

/// <summary>A page of jobs, newest first, as the list route answers it.</summary>
/// <param name="Jobs">The jobs.</param>
/// <param name="NextCursor">The cursor of the next page, or <see langword="null"/> on the last.</param>
internal sealed record JobListPage(IReadOnlyList<JobStatusReport> Jobs, string? NextCursor);

/// <summary>A job's progress counts.</summary>
/// <param name="TransactionsImported">Transactions stored so far.</param>
/// <param name="BytesRead">Bytes of the body read so far.</param>
/// <param name="BytesTotal">The body's length, when it was known.</param>
/// <param name="AggregatesCreated">Daily aggregates created.</param>
/// <param name="OffersGenerated">Offers generated.</param>
public sealed record JobProgressReport(long TransactionsImported, long BytesRead, long? BytesTotal, int AggregatesCreated, int OffersGenerated);

/// <summary>Why a job failed, and where in its input.</summary>
/// <param name="Kind">
/// The kind: <c>invalid_input</c>, <c>cancelled</c>, <c>interrupted</c>, <c>stage_failed</c>, <c>store_unavailable</c>,
/// <c>storage_full</c>, <c>client_disconnected</c>, <c>host_shutdown</c> or <c>upload_expired</c>.
/// </param>
/// <param name="Message">What went wrong.</param>
/// <param name="ItemIndex">The zero-based index in <c>data</c>, when the error is in an item.</param>
/// <param name="ByteOffset">The byte offset in the body.</param>
/// <param name="Path">The JSON path of the offending value.</param>
public sealed record JobErrorReport(string Kind, string Message, long? ItemIndex, long? ByteOffset, string? Path);

/// <summary>One event of a job's event stream.</summary>
public sealed record JobEventMessage
{
    /// <summary>Gets the event type, for example <c>IMPORT_PROGRESS</c> or <c>JOB_COMPLETE</c>.</summary>
    public required string EventType { get; init; }

    /// <summary>Gets the job id.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets the event's sequence number, which is also its SSE id.</summary>
    public long Sequence { get; init; }

    /// <summary>Gets when the event happened.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the job's state at the event.</summary>
    public required string Status { get; init; }

    /// <summary>Gets the job's stage at the event.</summary>
    public required string CurrentStage { get; init; }

    /// <summary>Gets the progress counts at the event.</summary>
    public required JobProgressReport Progress { get; init; }

    /// <summary>Gets the error, on a <c>FAILED</c> event.</summary>
    public JobErrorReport? Error { get; init; }

    /// <summary>Gets a value indicating whether this is the stream's last event.</summary>
    [JsonIgnore]
    public bool IsTerminal => EventType is "JOB_COMPLETE" or "FAILED";
}

/// <summary>A completed job's offers and credit model results, in the seed's shape.</summary>
public sealed record JobOffers
{
    /// <summary>Gets one offer per aggregated date.</summary>
    public required IReadOnlyList<JobOffer> Offers { get; init; }

    /// <summary>Gets the job's counts.</summary>
    public required PipelineSummary PipelineSummary { get; init; }

    /// <summary>Gets the scores, risk levels and configuration of the credit model.</summary>
    public required CreditModelResults CreditModelResults { get; init; }
}

/// <summary>The offer for one date.</summary>
/// <param name="Date">The date.</param>
/// <param name="OfferType">The offer type, for example <c>credit_line</c>.</param>
/// <param name="Amount">The amount offered.</param>
/// <param name="InterestRate">The interest rate, as a fraction.</param>
/// <param name="CreditScore">The date's credit score.</param>
/// <param name="RiskLevel">The date's risk level: <c>LOW</c>, <c>MEDIUM</c> or <c>HIGH</c>.</param>
/// <param name="TransactionCount">The date's number of transactions.</param>
public sealed record JobOffer(DateOnly Date, string OfferType, decimal Amount, decimal InterestRate, int CreditScore, string RiskLevel, long TransactionCount);

/// <summary>A job's counts.</summary>
/// <param name="TransactionsProcessed">Transactions imported.</param>
/// <param name="AggregatesCreated">Daily aggregates created.</param>
/// <param name="OffersGenerated">Offers generated.</param>
public sealed record PipelineSummary(long TransactionsProcessed, int AggregatesCreated, int OffersGenerated);

/// <summary>What the credit model produced and with which configuration.</summary>
public sealed record CreditModelResults
{
    /// <summary>Gets the score of each date (<c>YYYY-MM-DD</c>).</summary>
    public required IReadOnlyDictionary<string, int> CreditScores { get; init; }

    /// <summary>Gets the risk level of each date.</summary>
    public required IReadOnlyDictionary<string, string> RiskAssessments { get; init; }

    /// <summary>Gets the model version.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>Gets the request's <c>credit_model_config</c> as sent.</summary>
    public JsonElement ConfigUsed { get; init; }
}

/// <summary>A webhook registration, with the secret that signs its deliveries.</summary>
/// <param name="Id">The registration id.</param>
/// <param name="JobId">The job.</param>
/// <param name="WebhookUrl">The receiver's URL.</param>
/// <param name="Events">The event types delivered.</param>
/// <param name="Secret">The signing secret (<c>whsec_…</c>); shown only once.</param>
/// <param name="CreatedAt">When the registration was made.</param>
public sealed record WebhookRegistration(string Id, string JobId, string WebhookUrl, IReadOnlyList<string> Events, string Secret, DateTimeOffset CreatedAt);

internal sealed record WebhookRegistrationRequest(string JobId, string WebhookUrl, IReadOnlyList<string> Events);

internal sealed record UploadCreated(string JobId, string UploadUrl, string StatusUrl, string OffersUrl, string EventsUrl, long UploadOffset);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SubmittedJob))]
[JsonSerializable(typeof(JobStatusReport))]
[JsonSerializable(typeof(JobListPage))]
[JsonSerializable(typeof(JobEventMessage))]
[JsonSerializable(typeof(JobOffers))]
[JsonSerializable(typeof(WebhookRegistration))]
[JsonSerializable(typeof(WebhookRegistrationRequest))]
[JsonSerializable(typeof(UploadCreated))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ClientJsonContext : JsonSerializerContext
{
}
