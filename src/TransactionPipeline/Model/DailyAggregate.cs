namespace TransactionPipeline;

/// <summary>The totals of one job's transactions on one date.</summary>
/// <remarks>
/// A field added later arrives as an init property, so existing callers keep compiling. The constructor's parameters keep
/// the properties' names, as the positional form had them, so calls with named arguments keep compiling too.
/// </remarks>
public sealed record DailyAggregate
{
    /// <summary>Initializes a new instance with every field.</summary>
    /// <param name="Date">The aggregated date, unique within a job.</param>
    /// <param name="TotalAmount">The sum of all amounts on <paramref name="Date"/>.</param>
    /// <param name="RevenueAmount">The sum of the amounts flagged as revenue.</param>
    /// <param name="TransactionCount">How many transactions fell on <paramref name="Date"/>.</param>
    public DailyAggregate(DateOnly Date, decimal TotalAmount, decimal RevenueAmount, long TransactionCount)
    {
        this.Date = Date;
        this.TotalAmount = TotalAmount;
        this.RevenueAmount = RevenueAmount;
        this.TransactionCount = TransactionCount;
    }

    /// <summary>Gets the aggregated date, unique within a job.</summary>
    public DateOnly Date { get; init; }

    /// <summary>Gets the sum of all amounts on <see cref="Date"/>.</summary>
    public decimal TotalAmount { get; init; }

    /// <summary>Gets the sum of the amounts flagged as revenue.</summary>
    public decimal RevenueAmount { get; init; }

    /// <summary>Gets how many transactions fell on <see cref="Date"/>.</summary>
    public long TransactionCount { get; init; }
}
