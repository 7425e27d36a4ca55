namespace TransactionPipeline;

/// <summary>The two configurations a request carries besides its data.</summary>
/// <param name="CreditModel">The <c>credit_model_config</c>.</param>
/// <param name="Aggregate">The <c>aggregate_config</c>.</param>
public sealed record PipelineConfiguration(CreditModelConfig CreditModel, AggregateConfig Aggregate)
{
    /// <summary>Gets the configuration of a request that sends neither.</summary>
    public static PipelineConfiguration Default { get; } = new(CreditModelConfig.Default, AggregateConfig.Default);
}
