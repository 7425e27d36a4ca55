namespace TransactionPipeline;

/// <summary>Everything a completed job produced.</summary>
public sealed record JobResult
{
    /// <summary>Gets the job id.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets the daily aggregates, in date order.</summary>
    public required IReadOnlyList<DailyAggregate> Aggregates { get; init; }

    /// <summary>Gets the credit assessments, in date order.</summary>
    public required IReadOnlyList<CreditAssessment> Assessments { get; init; }

    /// <summary>Gets the offers, in date order.</summary>
    public required IReadOnlyList<CreditOffer> Offers { get; init; }

    /// <summary>Gets how many transactions the job imported.</summary>
    public required long TransactionsProcessed { get; init; }

    /// <summary>Gets the model version that scored the job.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>Gets the <c>credit_model_config</c> as the request sent it, or <see langword="null"/>.</summary>
    public string? ConfigUsedJson { get; init; }
}
