using BenchmarkDotNet.Attributes;
using TransactionPipeline.Aggregation;
using TransactionPipeline.Import;
using TransactionPipeline.Pipeline;

namespace TransactionPipeline.Benchmarks;

/// <summary>Per-date totals over the ~90,000 transactions of an 8 MB seed-shaped body.</summary>
public class AggregationBenchmarks
{
    private TransactionRecord[] _records = [];

    [GlobalSetup]
    public void Setup() => _records = BenchmarkData.Records(BenchmarkData.SeedBody(8 << 20));

    [Benchmark(Baseline = true)]
    public int LinqGroupBy() => _records
        .GroupBy(r => r.Date)
        .Select(g => (g.Key, g.Sum(r => r.Amount), g.Where(r => r.IsRevenue).Sum(r => r.Amount), g.Count()))
        .Count();

    [Benchmark]
    public int DailyTotals()
    {
        var totals = new DailyTotals();
        for (var i = 0; i < _records.Length; i += SeedRows.BatchSize)
        {
            totals.Add(_records.AsSpan(i, Math.Min(SeedRows.BatchSize, _records.Length - i)));
        }

        return totals.ToAggregates(DateRange.All).Count;
    }
}
