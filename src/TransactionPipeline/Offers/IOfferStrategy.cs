namespace TransactionPipeline;

/// <summary>Turns credit assessments into offers.</summary>
/// <remarks>Registered as a singleton: implementations must be thread-safe.</remarks>
public interface IOfferStrategy
{
    /// <summary>Creates the offers of the job in <paramref name="context"/>.</summary>
    /// <param name="context">The job's aggregates and assessments.</param>
    /// <param name="cancellationToken">Cancels the offer generation.</param>
    /// <returns>At most one offer per aggregated date, in date order.</returns>
    ValueTask<IReadOnlyList<CreditOffer>> CreateOffersAsync(OfferContext context, CancellationToken cancellationToken);
}

/// <summary>The input of <see cref="IOfferStrategy.CreateOffersAsync"/>.</summary>
public sealed class OfferContext
{
    /// <summary>Initializes a new instance of the <see cref="OfferContext"/> class.</summary>
    /// <param name="jobId">The job the offers are for.</param>
    /// <param name="aggregates">The job's aggregates, in date order.</param>
    /// <param name="assessments">The credit model's assessments, in date order.</param>
    /// <param name="config">The job's credit model configuration.</param>
    public OfferContext(
        string jobId,
        IReadOnlyList<DailyAggregate> aggregates,
        IReadOnlyList<CreditAssessment> assessments,
        CreditModelConfig config)
    {
        JobId = jobId;
        Aggregates = aggregates;
        Assessments = assessments;
        Config = config;
    }

    /// <summary>Gets the job the offers are for.</summary>
    public string JobId { get; }

    /// <summary>Gets the job's aggregates, in date order.</summary>
    public IReadOnlyList<DailyAggregate> Aggregates { get; }

    /// <summary>Gets the credit model's assessments, in date order.</summary>
    public IReadOnlyList<CreditAssessment> Assessments { get; }

    /// <summary>Gets the job's <c>credit_model_config</c>.</summary>
    public CreditModelConfig Config { get; }
}
