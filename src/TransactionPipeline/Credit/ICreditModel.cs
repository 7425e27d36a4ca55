namespace TransactionPipeline;

/// <summary>Computes credit scores from one job's daily aggregates.</summary>
/// <remarks>Registered as a singleton: implementations must be thread-safe.</remarks>
public interface ICreditModel
{
    /// <summary>Scores every aggregated date of the job in <paramref name="context"/>.</summary>
    /// <param name="context">The job's aggregates and its <c>credit_model_config</c>.</param>
    /// <param name="cancellationToken">Cancels the scoring.</param>
    /// <returns>One assessment per aggregated date, in date order.</returns>
    ValueTask<IReadOnlyList<CreditAssessment>> ScoreAsync(CreditModelContext context, CancellationToken cancellationToken);
}

/// <summary>The input of <see cref="ICreditModel.ScoreAsync"/>.</summary>
public sealed class CreditModelContext
{
    /// <summary>Initializes a new instance of the <see cref="CreditModelContext"/> class.</summary>
    /// <param name="jobId">The job being scored.</param>
    /// <param name="aggregates">The job's aggregates, in date order.</param>
    /// <param name="config">The job's credit model configuration.</param>
    public CreditModelContext(string jobId, IReadOnlyList<DailyAggregate> aggregates, CreditModelConfig config)
    {
        JobId = jobId;
        Aggregates = aggregates;
        Config = config;
    }

    /// <summary>Gets the job being scored.</summary>
    public string JobId { get; }

    /// <summary>Gets the job's aggregates, in date order.</summary>
    public IReadOnlyList<DailyAggregate> Aggregates { get; }

    /// <summary>Gets the job's <c>credit_model_config</c>.</summary>
    public CreditModelConfig Config { get; }
}
