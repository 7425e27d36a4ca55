namespace TransactionPipeline;

/// <summary>The request's <c>credit_model_config</c>: which model version runs and how it weighs its factors.</summary>
/// <remarks>
/// The default model's use of each value is written out in <c>docs/credit-model.md</c>.
/// Custom models read <see cref="RawJson"/> for properties of their own.
/// </remarks>
public sealed record CreditModelConfig
{
    /// <summary>Gets the model version reported back in <c>credit_model_results.model_version</c>.</summary>
    /// <value>The default value is <c>v2.1</c>.</value>
    public string ModelVersion { get; init; } = "v2.1";

    /// <summary>Gets the composite score (0..1) at and above which a date is <see cref="RiskLevel.Low"/> risk.</summary>
    /// <value>The default value is 0.7.</value>
    public decimal RiskThreshold { get; init; } = 0.7m;

    /// <summary>Gets the relative weights of the three factors.</summary>
    public CreditScoreWeights Weights { get; init; } = CreditScoreWeights.Default;

    /// <summary>Gets the daily transaction count that earns the full volume sub-score.</summary>
    /// <value>The default value is 100.</value>
    public int VolumeTarget { get; init; } = 100;

    /// <summary>Gets the configuration exactly as the request sent it, or <see langword="null"/> when it sent none.</summary>
    public string? RawJson { get; init; }

    /// <summary>Gets the configuration used when a request sends none.</summary>
    public static CreditModelConfig Default { get; } = new();
}

/// <summary>The <c>credit_score_weights</c> of a credit model configuration.</summary>
/// <param name="TransactionVolume">The weight of the volume factor.</param>
/// <param name="RevenueRatio">The weight of the revenue-ratio factor.</param>
/// <param name="Consistency">The weight of the consistency factor.</param>
public sealed record CreditScoreWeights(decimal TransactionVolume, decimal RevenueRatio, decimal Consistency)
{
    /// <summary>Gets the seed's weights: 0.4, 0.3, 0.3.</summary>
    public static CreditScoreWeights Default { get; } = new(0.4m, 0.3m, 0.3m);
}
