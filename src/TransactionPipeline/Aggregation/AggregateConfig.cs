namespace TransactionPipeline;

/// <summary>The request's <c>aggregate_config</c>: how transactions are grouped and which dates are kept.</summary>
public sealed record AggregateConfig
{
    /// <summary>The only grouping the pipeline knows.</summary>
    public const string GroupByDate = "date";

    /// <summary>Gets the metrics the pipeline computes; every request may ask for any of them.</summary>
    public static IReadOnlyList<string> KnownMetrics { get; } = ["total_amount", "revenue_amount", "transaction_count"];

    /// <summary>Gets the grouping.</summary>
    /// <value>The default value is <c>date</c>, the only one supported.</value>
    public string GroupBy { get; init; } = GroupByDate;

    /// <summary>Gets the metrics requested.</summary>
    /// <value>The default value is all of <see cref="KnownMetrics"/>.</value>
    public IReadOnlyList<string> IncludeMetrics { get; init; } = KnownMetrics;

    /// <summary>Gets which dates are aggregated.</summary>
    /// <value>The default value is <see cref="DateRange.All"/>.</value>
    public DateRange DateRange { get; init; } = DateRange.All;

    /// <summary>Gets the configuration used when a request sends none.</summary>
    public static AggregateConfig Default { get; } = new();
}
