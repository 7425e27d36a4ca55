using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransactionPipeline.AspNetCore.Http;

// The wire shapes of the HTTP API. They are internal: users see JSON, not these types, so they can change freely.
internal sealed record SubmitResponse(
    string JobId,
    string Status,
    string StatusUrl,
    string OffersUrl,
    string EventsUrl,
    string EstimatedDuration,
    double EstimatedDurationSeconds,
    ImportThroughput ImportThroughput,
    string NextSteps,
    string Tips);

internal sealed record ImportThroughput(long TransactionsImported, long BytesRead, double ElapsedSeconds, double BytesPerSecond, double TransactionsPerSecond);

internal sealed record ProgressResponse(long TransactionsImported, long BytesRead, long? BytesTotal, int AggregatesCreated, int OffersGenerated)
{
    public static ProgressResponse From(JobProgress progress) => new(
        progress.TransactionsImported, progress.BytesRead, progress.BytesTotal, progress.AggregatesCreated, progress.OffersGenerated);
}

internal sealed record ErrorResponse(string Kind, string Message, long? ItemIndex, long? ByteOffset, string? Path)
{
    public static ErrorResponse? From(JobError? error) => error is null
        ? null
        : new(WireNames.Of(error.Kind), error.Message, error.ItemIndex, error.ByteOffset, error.Path);
}

internal sealed record JobStatusResponse(
    string JobId,
    string Status,
    string CurrentStage,
    ProgressResponse Progress,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ErrorResponse? Error)
{
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

internal sealed record JobEventResponse(
    string EventType,
    string JobId,
    long Sequence,
    DateTimeOffset Timestamp,
    string Status,
    string CurrentStage,
    ProgressResponse Progress,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ErrorResponse? Error)
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
    DateOnly Date, string OfferType, decimal Amount, decimal InterestRate, int CreditScore, string RiskLevel, long TransactionCount);

internal sealed record PipelineSummary(long TransactionsProcessed, int AggregatesCreated, int OffersGenerated);

internal sealed record ReasonCode(string Code, decimal Value, decimal Weight, decimal Points);

internal sealed record CreditModelResults(
    Dictionary<string, int> CreditScores,
    Dictionary<string, string> RiskAssessments,
    string ModelVersion,
    JsonElement ConfigUsed,
    Dictionary<string, ReasonCode[]> ReasonCodes);

internal sealed record OffersResponse(string JobId, OfferResponse[] Offers, PipelineSummary PipelineSummary, CreditModelResults CreditModelResults)
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

internal sealed record WebhookRegistrationRequest(string? JobId, string? WebhookUrl, string[]? Events);

internal sealed record WebhookRegistrationResponse(
    string Id, string JobId, string WebhookUrl, string[] Events, string Secret, DateTimeOffset CreatedAt, string SignatureScheme);

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
        _ => kind.ToString(),
    };

    public static string Of(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DictionaryKeyPolicy = JsonKnownNamingPolicy.Unspecified)]
[JsonSerializable(typeof(SubmitResponse))]
[JsonSerializable(typeof(JobStatusResponse))]
[JsonSerializable(typeof(JobEventResponse))]
[JsonSerializable(typeof(OffersResponse))]
[JsonSerializable(typeof(WebhookRegistrationRequest))]
[JsonSerializable(typeof(WebhookRegistrationResponse))]
internal sealed partial class PipelineJsonContext : JsonSerializerContext
{
}
