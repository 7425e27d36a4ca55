namespace TransactionPipeline;

/// <summary>The totals of one job's transactions on one date.</summary>
/// <param name="Date">The aggregated date, unique within a job.</param>
/// <param name="TotalAmount">The sum of all amounts on <paramref name="Date"/>.</param>
/// <param name="RevenueAmount">The sum of the amounts flagged as revenue.</param>
/// <param name="TransactionCount">How many transactions fell on <paramref name="Date"/>.</param>
/// <remarks>A new field arrives as an init property in the body, never as a positional parameter, so no caller breaks.</remarks>
public sealed record DailyAggregate(DateOnly Date, decimal TotalAmount, decimal RevenueAmount, long TransactionCount);
