namespace TransactionPipeline;

/// <summary>The two configurations a request carries besides its data.</summary>
/// <param name="CreditModel">The <c>credit_model_config</c>.</param>
/// <param name="Aggregate">The <c>aggregate_config</c>.</param>
public sealed record PipelineConfiguration(CreditModelConfig CreditModel, AggregateConfig Aggregate)
{
    /// <summary>Gets the configuration of a request that sends neither.</summary>
    public static PipelineConfiguration Default { get; } = new(CreditModelConfig.Default, AggregateConfig.Default);

    /// <summary>
    /// Gets the W3C <c>traceparent</c> of the job's span when its import was traced, or <see langword="null"/>: stored with the
    /// configuration so that the stages, run later on any host (after a take-over too), continue the job's trace.
    /// </summary>
    public string? TraceParent { get; init; }
}
