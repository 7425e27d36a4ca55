using System.Runtime.InteropServices;

namespace TransactionPipeline.Engine;

/// <summary>Running per-date sums of one job, exact in <see cref="decimal"/>; one entry per distinct date.</summary>
/// <remarks>Filled while transactions are stored, read only after the import finished without error.</remarks>
internal sealed class DailyTotals
{
    private readonly Dictionary<DateOnly, Totals> _byDate = [];

    public void Add(ReadOnlySpan<TransactionRecord> transactions)
    {
        foreach (ref readonly var transaction in transactions)
        {
            Add(transaction);
        }
    }

    public void Add(in TransactionRecord transaction)
    {
        ref var totals = ref CollectionsMarshal.GetValueRefOrAddDefault(_byDate, transaction.Date, out _);
        totals.Total += transaction.Amount;
        totals.Count++;
        if (transaction.IsRevenue)
        {
            totals.Revenue += transaction.Amount;
        }
    }

    /// <summary>Returns the aggregates of the dates <paramref name="range"/> keeps, in date order.</summary>
    public IReadOnlyList<DailyAggregate> ToAggregates(DateRange range)
    {
        if (_byDate.Count == 0)
        {
            return [];
        }

        var bounds = range.Resolve(_byDate.Keys.Max());
        return _byDate
            .Where(pair => bounds is not { } b || (pair.Key >= b.First && pair.Key <= b.Last))
            .OrderBy(pair => pair.Key)
            .Select(pair => new DailyAggregate(pair.Key, pair.Value.Total, pair.Value.Revenue, pair.Value.Count))
            .ToList();
    }

    private struct Totals
    {
        public decimal Total;
        public decimal Revenue;
        public long Count;
    }
}
