namespace TransactionPipeline;

/// <summary>Which dates of a job are aggregated.</summary>
/// <remarks>
/// <c>last_N_days</c> keeps the N days ending on <see cref="AsOf"/>, or on the newest date in the job's
/// data when no as-of date is named: with N = 30 and a newest date of 2024-01-30, 2024-01-01..2024-01-30.
/// </remarks>
public sealed record DateRange
{
    private DateRange(int? lastDays, DateOnly? from, DateOnly? to, DateOnly? asOf)
    {
        LastDays = lastDays;
        From = from;
        To = to;
        AsOf = asOf;
    }

    /// <summary>Gets the range that keeps every date.</summary>
    public static DateRange All { get; } = new(null, null, null, null);

    /// <summary>Gets N for a <c>last_N_days</c> range, otherwise <see langword="null"/>.</summary>
    public int? LastDays { get; }

    /// <summary>Gets the first date of an explicit range.</summary>
    public DateOnly? From { get; }

    /// <summary>Gets the last date of an explicit range.</summary>
    public DateOnly? To { get; }

    /// <summary>Gets the day a <c>last_N_days</c> range ends on, when the request named one.</summary>
    public DateOnly? AsOf { get; }

    /// <summary>Creates a <c>last_N_days</c> range.</summary>
    /// <param name="days">N, at least 1.</param>
    /// <param name="asOf">The last day of the range; <see langword="null"/> for the newest date in the data.</param>
    /// <returns>The range.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is less than 1.</exception>
    public static DateRange Last(int days, DateOnly? asOf = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        return new DateRange(days, null, null, asOf);
    }

    /// <summary>Creates an explicit, inclusive range.</summary>
    /// <param name="from">The first date kept.</param>
    /// <param name="to">The last date kept.</param>
    /// <returns>The range.</returns>
    /// <exception cref="ArgumentException"><paramref name="to"/> is before <paramref name="from"/>.</exception>
    public static DateRange Between(DateOnly from, DateOnly to)
    {
        if (to < from)
        {
            throw new ArgumentException($"The range ends on {to:yyyy-MM-dd}, before it starts on {from:yyyy-MM-dd}.", nameof(to));
        }

        return new DateRange(null, from, to, null);
    }

    /// <summary>Resolves the range against a job's newest date.</summary>
    /// <param name="newestDate">The newest date in the job's data.</param>
    /// <returns>The inclusive first and last dates kept, or <see langword="null"/> for all dates.</returns>
    public (DateOnly First, DateOnly Last)? Resolve(DateOnly newestDate)
    {
        if (LastDays is int days)
        {
            var last = AsOf ?? newestDate;
            return (last.AddDays(1 - days), last);
        }

        return From is DateOnly from && To is DateOnly to ? (from, to) : null;
    }

    /// <inheritdoc/>
    public override string ToString() => LastDays is int days
        ? $"last_{days}_days" + (AsOf is DateOnly asOf ? $" as of {asOf:yyyy-MM-dd}" : string.Empty)
        : From is DateOnly from ? $"{from:yyyy-MM-dd}..{To:yyyy-MM-dd}" : "all";
}
