using System.Text;
using TransactionPipeline.Import.Json;

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

    /// <summary>Reads the two configs from JSON spelled as in a request body, with the same checks.</summary>
    /// <param name="creditModelConfig">The <c>credit_model_config</c> object, or <see langword="null"/> for the default.</param>
    /// <param name="aggregateConfig">The <c>aggregate_config</c> object, or <see langword="null"/> for the default.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="FormatException">A config is not valid JSON or breaks the contract; the message says which and where.</exception>
    public static PipelineConfiguration FromJson(string? creditModelConfig, string? aggregateConfig)
    {
        try
        {
            return new(
                creditModelConfig is null ? CreditModelConfig.Default : ConfigurationParser.ParseCreditModel(Encoding.UTF8.GetBytes(creditModelConfig), 0),
                aggregateConfig is null ? AggregateConfig.Default : ConfigurationParser.ParseAggregate(Encoding.UTF8.GetBytes(aggregateConfig), 0));
        }
        catch (InvalidInputException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }
}
