namespace TransactionPipeline;

/// <summary>The risk band of a credit assessment.</summary>
public enum RiskLevel
{
    /// <summary>The composite score reached the configured <c>risk_threshold</c>.</summary>
    Low,

    /// <summary>The composite score is below the threshold by at most the medium band.</summary>
    Medium,

    /// <summary>The composite score is further below the threshold.</summary>
    High,
}
