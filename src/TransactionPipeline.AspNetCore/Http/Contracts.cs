using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransactionPipeline.AspNetCore.Http;

// The wire shapes of the HTTP API. They are internal: users see JSON, not these types, so they can change freely.
// Names are explicit rather than left to the naming policy, so that the host's own JSON options (which OpenAPI
// uses to describe the schemas) cannot respell them.
internal sealed record SubmitResponse(
    [property: JsonPropertyName("job_id")] string JobId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("status_url")] string StatusUrl,
    [property: JsonPropertyName("offers_url")] string OffersUrl,
    [property: JsonPropertyName("events_url")] string EventsUrl,
    [property: JsonPropertyName("estimated_duration")] string EstimatedDuration,
    [property: JsonPropertyName("estimated_duration_seconds")] double EstimatedDurationSeconds,
    [property: JsonPropertyName("import_throughput")] ImportThroughput ImportThroughput,
    [property: JsonPropertyName("next_steps")] string NextSteps,
    [property: JsonPropertyName("tips")] string Tips);

internal sealed record ImportThroughput(
    [property: JsonPropertyName("transactions_imported")] long TransactionsImported,
    [property: JsonPropertyName("bytes_read")] long BytesRead,
    [property: JsonPropertyName("elapsed_seconds")] double ElapsedSeconds,
    [property: JsonPropertyName("bytes_per_second")] double BytesPerSecond,
    [property: JsonPropertyName("transactions_per_second")] double TransactionsPerSecond);

internal sealed record UploadCreatedResponse(
    [property: JsonPropertyName("job_id")] string JobId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("upload_url")] string UploadUrl,
    [property: JsonPropertyName("status_url")] string StatusUrl,
    [property: JsonPropertyName("offers_url")] string OffersUrl,
    [property: JsonPropertyName("events_url")] string EventsUrl,
    [property: JsonPropertyName("upload_offset")] long UploadOffset,
    [property: JsonPropertyName("upload_length")] long? UploadLength,
    [property: JsonPropertyName("upload_expires_at")] DateTimeOffset UploadExpiresAt);

/// <summary>The upload of a job that this host is receiving: how far it is, and whether bytes are arriving or the import waits for them.</summary>
/// <remarks>Not the upload's URL: only its client knows that, and job ids are guessable.</remarks>
internal sealed record UploadStateResponse(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("bytes_received")] long BytesReceived,
    [property: JsonPropertyName("upload_length")] long? UploadLength,
    [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt);

internal sealed record ProgressResponse(
    [property: JsonPropertyName("transactions_imported")] long TransactionsImported,
    [property: JsonPropertyName("bytes_read")] long BytesRead,
    [property: JsonPropertyName("bytes_total")] long? BytesTotal,
    [property: JsonPropertyName("aggregates_created")] int AggregatesCreated,
    [property: JsonPropertyName("offers_generated")] int OffersGenerated)
{
    public static ProgressResponse From(JobProgress progress) => new(
        progress.TransactionsImported, progress.BytesRead, progress.BytesTotal, progress.AggregatesCreated, progress.OffersGenerated);
}

internal sealed record ErrorResponse(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("item_index")] long? ItemIndex,
    [property: JsonPropertyName("byte_offset")] long? ByteOffset,
    [property: JsonPropertyName("path")] string? Path)
{
    public static ErrorResponse? From(JobError? error) => error is null
        ? null
        : new(WireNames.Of(error.Kind), error.Message, error.ItemIndex, error.ByteOffset, error.Path);
}

internal sealed record JobStatusResponse(
    [property: JsonPropertyName("job_id")] string JobId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("current_stage")] string CurrentStage,
    [property: JsonPropertyName("progress")] ProgressResponse Progress,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("completed_at")] DateTimeOffset? CompletedAt,
    [property: JsonPropertyName("error")] [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ErrorResponse? Error)
{
    /// <summary>Gets the job's upload while this host receives it through the resumable upload route.</summary>
    [JsonPropertyName("upload")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UploadStateResponse? Upload { get; init; }

    public static JobStatusResponse From(JobStatus status) => new(
        status.JobId,
        WireNames.Of(status.State),
        WireNames.Of(status.Stage),
        ProgressResponse.From(status.Progress),
        status.CreatedAt,
        status.UpdatedAt,
        status.CompletedAt,
        ErrorResponse.From(status.Error));
}

internal sealed record JobListResponse(
    [property: JsonPropertyName("jobs")] IReadOnlyList<JobStatusResponse> Jobs,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

internal sealed record JobEventResponse(
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("job_id")] string JobId,
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("current_stage")] string CurrentStage,
    [property: JsonPropertyName("progress")] ProgressResponse Progress,
    [property: JsonPropertyName("error")] [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ErrorResponse? Error)
{
    public static JobEventResponse From(JobEvent jobEvent) => new(
        jobEvent.EventType,
        jobEvent.Status.JobId,
        jobEvent.Sequence,
        jobEvent.Timestamp,
        WireNames.Of(jobEvent.Status.State),
        WireNames.Of(jobEvent.Status.Stage),
        ProgressResponse.From(jobEvent.Status.Progress),
        ErrorResponse.From(jobEvent.Status.Error));
}

internal sealed record OfferResponse(
    [property: JsonPropertyName("date")] DateOnly Date, [property: JsonPropertyName("offer_type")] string OfferType, [property: JsonPropertyName("amount")] decimal Amount, [property: JsonPropertyName("interest_rate")] decimal InterestRate, [property: JsonPropertyName("credit_score")] int CreditScore, [property: JsonPropertyName("risk_level")] string RiskLevel, [property: JsonPropertyName("transaction_count")] long TransactionCount);

internal sealed record PipelineSummary(
    [property: JsonPropertyName("transactions_processed")] long TransactionsProcessed,
    [property: JsonPropertyName("aggregates_created")] int AggregatesCreated,
    [property: JsonPropertyName("offers_generated")] int OffersGenerated);

internal sealed record ReasonCode(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("value")] decimal Value,
    [property: JsonPropertyName("weight")] decimal Weight,
    [property: JsonPropertyName("points")] decimal Points);

internal sealed record CreditModelResults(
    [property: JsonPropertyName("credit_scores")] Dictionary<string, int> CreditScores,
    [property: JsonPropertyName("risk_assessments")] Dictionary<string, string> RiskAssessments,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    [property: JsonPropertyName("config_used")] JsonElement ConfigUsed,
    [property: JsonPropertyName("reason_codes")] Dictionary<string, ReasonCode[]> ReasonCodes);

internal sealed record OffersResponse(
    [property: JsonPropertyName("job_id")] string JobId,
    [property: JsonPropertyName("offers")] OfferResponse[] Offers,
    [property: JsonPropertyName("pipeline_summary")] PipelineSummary PipelineSummary,
    [property: JsonPropertyName("credit_model_results")] CreditModelResults CreditModelResults)
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static OffersResponse From(JobResult result)
    {
        var scores = new Dictionary<string, int>(result.Assessments.Count, StringComparer.Ordinal);
        var risks = new Dictionary<string, string>(result.Assessments.Count, StringComparer.Ordinal);
        var reasons = new Dictionary<string, ReasonCode[]>(result.Assessments.Count, StringComparer.Ordinal);
        foreach (var assessment in result.Assessments)
        {
            var date = WireNames.Of(assessment.Date);
            scores[date] = assessment.CreditScore;
            risks[date] = WireNames.Of(assessment.RiskLevel);
            reasons[date] = [.. assessment.Factors.Select(f => new ReasonCode(f.Code, f.Value, f.Weight, f.Points))];
        }

        OfferResponse[] offers = [.. result.Offers.Select(o => new OfferResponse(
            o.Date, o.OfferType, o.Amount, o.InterestRate, o.CreditScore, WireNames.Of(o.RiskLevel), o.TransactionCount))];
        var config = result.ConfigUsedJson is { Length: > 0 } raw ? ParseElement(raw) : EmptyObject;
        return new OffersResponse(
            result.JobId,
            offers,
            new PipelineSummary(result.TransactionsProcessed, result.Aggregates.Count, result.Offers.Count),
            new CreditModelResults(scores, risks, result.ModelVersion, config, reasons));
    }

    private static JsonElement ParseElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

internal sealed record WebhookRegistrationRequest(
    [property: JsonPropertyName("job_id")] string? JobId,
    [property: JsonPropertyName("webhook_url")] string? WebhookUrl,
    [property: JsonPropertyName("events")] string[]? Events);

internal sealed record WebhookRegistrationResponse(
    [property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("job_id")] string JobId, [property: JsonPropertyName("webhook_url")] string WebhookUrl, [property: JsonPropertyName("events")] string[] Events, [property: JsonPropertyName("secret")] string Secret, [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt, [property: JsonPropertyName("signature_scheme")] string SignatureScheme);

/// <summary>The wire spelling of the core's enums, which the contract fixes independently of their C# names.</summary>
internal static class WireNames
{
    public static string Of(JobState state) => state switch
    {
        JobState.Open => "OPEN",
        JobState.InProgress => "IN_PROGRESS",
        JobState.JobComplete => "JOB_COMPLETE",
        JobState.Failed => "FAILED",
        _ => state.ToString(),
    };

    // A created job is waiting for its import, which is the stage the contract names for it.
    public static string Of(PipelineStage stage) => stage switch
    {
        PipelineStage.Created or PipelineStage.Import => "import",
        PipelineStage.Aggregate => "aggregate",
        PipelineStage.CreditModel => "credit_model",
        PipelineStage.Offers => "offers",
        PipelineStage.Completed => "completed",
        _ => stage.ToString(),
    };

    public static string Of(RiskLevel risk) => risk switch
    {
        RiskLevel.Low => "LOW",
        RiskLevel.Medium => "MEDIUM",
        RiskLevel.High => "HIGH",
        _ => risk.ToString(),
    };

    public static string Of(JobErrorKind kind) => kind switch
    {
        JobErrorKind.InvalidInput => "invalid_input",
        JobErrorKind.Cancelled => "cancelled",
        JobErrorKind.Interrupted => "interrupted",
        JobErrorKind.StageFailed => "stage_failed",
        JobErrorKind.StoreUnavailable => "store_unavailable",
        JobErrorKind.StorageFull => "storage_full",
        JobErrorKind.ClientDisconnected => "client_disconnected",
        JobErrorKind.HostShutdown => "host_shutdown",
        JobErrorKind.UploadExpired => "upload_expired",
        _ => kind.ToString(),
    };

    public static string Of(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified)]
[JsonSerializable(typeof(SubmitResponse))]
[JsonSerializable(typeof(UploadCreatedResponse))]
[JsonSerializable(typeof(JobStatusResponse))]
[JsonSerializable(typeof(JobListResponse))]
[JsonSerializable(typeof(JobEventResponse))]
[JsonSerializable(typeof(OffersResponse))]
[JsonSerializable(typeof(WebhookRegistrationRequest))]
[JsonSerializable(typeof(WebhookRegistrationResponse))]
// Never serialized: the routes that stream a body declare it as a Stream, and an OpenAPI document asks the host's JSON
// options for its metadata (then writes it as binary); without reflection, only this context can answer.
[JsonSerializable(typeof(Stream))]
internal sealed partial class PipelineJsonContext : JsonSerializerContext
{
}
