using System.Globalization;
using System.Text;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>Deterministic request bodies in the seed's shape, and the aggregates they must produce.</summary>
internal static class TestBodies
{
    /// <summary>Rows over <paramref name="days"/> consecutive days from 2024-03-01, with cents, negatives and both revenue flags.</summary>
    public static TransactionRecord[] Rows(int count, int days) =>
    [
        .. Enumerable.Range(0, count).Select(i => new TransactionRecord(
            (i % 5 == 0 ? -1 : 1) * (((i % 997) + 1) + ((i % 100) / 100m)),
            new DateOnly(2024, 3, 1).AddDays(i % days),
            i % 3 != 0,
            $"payment {i} für Müller")),
    ];

    /// <summary>A body whose configs follow the <c>data</c> array and aggregate every date.</summary>
    public static string Json(IEnumerable<TransactionRecord> rows) =>
        "{\"data\": [" + string.Join(",", rows.Select(Item)) + "], \"aggregate_config\": {\"date_range\": \"all\"}}";

    public static PipelineInput Input(IEnumerable<TransactionRecord> rows) => PipelineInput.FromJson(Stream(Json(rows)));

    public static MemoryStream Stream(string body) => new(Encoding.UTF8.GetBytes(body));

    public static string Item(TransactionRecord row) => string.Create(
        CultureInfo.InvariantCulture,
        $$"""{"amount": {{row.Amount:0.00}}, "date": "{{row.Date:yyyy-MM-dd}}", "is_revenue": {{(row.IsRevenue ? "true" : "false")}}, "description": "{{row.Description}}"}""");

    /// <summary>The per-date totals the pipeline must compute from <paramref name="rows"/>, in date order.</summary>
    public static List<DailyAggregate> Aggregates(IEnumerable<TransactionRecord> rows) =>
    [
        .. rows.GroupBy(r => r.Date).OrderBy(g => g.Key).Select(g => new DailyAggregate(
            g.Key, g.Sum(r => r.Amount), g.Where(r => r.IsRevenue).Sum(r => r.Amount), g.LongCount())),
    ];
}
