namespace TransactionPipeline;

/// <summary>One business transaction of a job's <c>data</c> array.</summary>
/// <remarks>
/// A field added later arrives as an init property, so existing callers keep compiling. The constructor's parameters keep
/// the properties' names, as the positional form had them, so calls with named arguments keep compiling too.
/// </remarks>
public readonly record struct TransactionRecord
{
    /// <summary>Initializes a new instance with every field.</summary>
    /// <param name="Amount">The amount, exact, with at most 13 integer digits and 2 decimals.</param>
    /// <param name="Date">The day the transaction belongs to.</param>
    /// <param name="IsRevenue">Whether the transaction counts as revenue.</param>
    /// <param name="Description">A free text of at most 255 characters.</param>
    public TransactionRecord(decimal Amount, DateOnly Date, bool IsRevenue, string Description)
    {
        this.Amount = Amount;
        this.Date = Date;
        this.IsRevenue = IsRevenue;
        this.Description = Description;
    }

    /// <summary>Gets the amount, exact, with at most 13 integer digits and 2 decimals.</summary>
    public decimal Amount { get; init; }

    /// <summary>Gets the day the transaction belongs to.</summary>
    public DateOnly Date { get; init; }

    /// <summary>Gets whether the transaction counts as revenue.</summary>
    public bool IsRevenue { get; init; }

    /// <summary>Gets a free text of at most 255 characters.</summary>
    public string Description { get; init; }
}
