namespace TransactionPipeline;

/// <summary>One business transaction of a job's <c>data</c> array.</summary>
/// <param name="Amount">The amount, exact, with at most 13 integer digits and 2 decimals.</param>
/// <param name="Date">The day the transaction belongs to.</param>
/// <param name="IsRevenue"><see langword="true"/> when the transaction counts as revenue.</param>
/// <param name="Description">A free text of at most 255 characters.</param>
/// <remarks>A new field arrives as an init property in the body, never as a positional parameter, so no caller breaks.</remarks>
public readonly record struct TransactionRecord(decimal Amount, DateOnly Date, bool IsRevenue, string Description);
