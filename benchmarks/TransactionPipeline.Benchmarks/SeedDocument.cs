using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransactionPipeline.Benchmarks;

/// <summary>The seed's document as a user of <see cref="JsonSerializer"/> would model it.</summary>
internal sealed class SeedDocument
{
    public static JsonSerializerOptions Options { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public List<SeedTransaction> Data { get; set; } = [];

    public JsonElement CreditModelConfig { get; set; }

    public JsonElement AggregateConfig { get; set; }

    /// <summary>What a web handler would do after deserialising: group by date with LINQ.</summary>
    public List<(DateOnly Date, decimal Total, decimal Revenue, int Count)> GroupByDate() =>
        Data.GroupBy(t => t.Date)
            .Select(g => (g.Key, g.Sum(t => t.Amount), g.Where(t => t.IsRevenue).Sum(t => t.Amount), g.Count()))
            .OrderBy(g => g.Key)
            .ToList();
}

internal sealed class SeedTransaction
{
    public decimal Amount { get; set; }

    public DateOnly Date { get; set; }

    [JsonPropertyName("is_revenue")]
    public bool IsRevenue { get; set; }

    public string Description { get; set; } = string.Empty;
}
