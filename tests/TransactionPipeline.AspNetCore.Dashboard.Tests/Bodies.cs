using System.Globalization;
using System.Text;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>Request bodies in the shape of the seed's design.</summary>
internal static class Bodies
{
    /// <summary>A body whose item 1 has three decimals: the job fails with that item's index and byte offset.</summary>
    public const string Invalid = """
        {"data": [
          {"amount": 10.00, "date": "2024-01-15", "is_revenue": true, "description": "fine"},
          {"amount": 1.001, "date": "2024-01-15", "is_revenue": true, "description": "three decimals"}
        ]}
        """;

    /// <summary>Two transactions a day (one revenue) over consecutive days from 2024-01-01.</summary>
    public static string Days(int days)
    {
        var items = Enumerable.Range(0, days).SelectMany(d =>
        {
            var date = new DateOnly(2024, 1, 1).AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return new[]
            {
                $$"""{"amount": {{1000 + (d * 250)}}.00, "date": "{{date}}", "is_revenue": true, "description": "sale {{d}}"}""",
                $$"""{"amount": -{{200 + (d * 40)}}.50, "date": "{{date}}", "is_revenue": false, "description": "rent {{d}}"}""",
            };
        });
        return $$$"""{"data": [{{{string.Join(",\n", items)}}}], "aggregate_config": {"date_range": "all"}}""";
    }

    /// <summary>Many transactions on one day, about 100 bytes each: a body long enough to stall part-way through.</summary>
    public static byte[] Many(int count)
    {
        var items = Enumerable.Range(0, count)
            .Select(i => $$"""{"amount": {{(i % 90) + 10}}.25, "date": "2024-02-{{(i % 28) + 1:00}}", "is_revenue": true, "description": "item {{i}}"}""");
        return Encoding.UTF8.GetBytes($$"""{"data": [{{string.Join(",\n", items)}}]}""");
    }
}
