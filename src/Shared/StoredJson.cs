using System.Globalization;
using System.Text.Json;

namespace TransactionPipeline.Storage;

/// <summary>The JSON text the durable stores keep for configurations and score factors.</summary>
/// <remarks>
/// Written and read by hand with <see cref="Utf8JsonWriter"/> and <see cref="JsonDocument"/>: no reflection, so the
/// packages stay trimming and AOT safe. Compiled into each store package from one source file, so every store
/// writes the same text. Decimals are JSON numbers written and read as <see cref="decimal"/>, which is exact.
/// </remarks>
internal static class StoredJson
{
    private const string DateFormat = "yyyy-MM-dd";

    /// <summary>Reads a job's configuration from a row of (credit model JSON, aggregate JSON, trace parent or null).</summary>
    public static PipelineConfiguration ReadConfiguration(System.Data.Common.DbDataReader row) =>
        new(ReadCreditModel(row.GetString(0)), ReadAggregate(row.GetString(1))) { TraceParent = row.IsDBNull(2) ? null : row.GetString(2) };

    public static string WriteCreditModel(CreditModelConfig config) => WriteObject(writer =>
    {
        Credit.CreditModelJson.WriteSettings(writer, config, "weights");
        if (config.RawJson is not null)
        {
            writer.WriteString("raw_json", config.RawJson);
        }
    });

    public static CreditModelConfig ReadCreditModel(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var weights = root.GetProperty("weights");
        return new CreditModelConfig
        {
            ModelVersion = root.GetProperty("model_version").GetString()!,
            RiskThreshold = root.GetProperty("risk_threshold").GetDecimal(),
            Weights = new CreditScoreWeights(
                weights.GetProperty("transaction_volume").GetDecimal(),
                weights.GetProperty("revenue_ratio").GetDecimal(),
                weights.GetProperty("consistency").GetDecimal()),
            VolumeTarget = root.GetProperty("volume_target").GetInt32(),
            RawJson = root.TryGetProperty("raw_json", out var raw) ? raw.GetString() : null,
        };
    }

    public static string WriteAggregate(AggregateConfig config) => WriteObject(writer =>
    {
        writer.WriteString("group_by", config.GroupBy);
        writer.WriteStartArray("include_metrics");
        foreach (var metric in config.IncludeMetrics)
        {
            writer.WriteStringValue(metric);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("date_range");
        var range = config.DateRange;
        WriteOptional(writer, "last_days", range.LastDays);
        WriteOptional(writer, "from", range.From);
        WriteOptional(writer, "to", range.To);
        WriteOptional(writer, "as_of", range.AsOf);
        writer.WriteEndObject();
    });

    public static AggregateConfig ReadAggregate(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var range = root.GetProperty("date_range");
        DateRange dateRange;
        if (range.TryGetProperty("last_days", out var lastDays))
        {
            dateRange = DateRange.Last(lastDays.GetInt32(), ReadOptionalDate(range, "as_of"));
        }
        else if (ReadOptionalDate(range, "from") is { } from && ReadOptionalDate(range, "to") is { } to)
        {
            dateRange = DateRange.Between(from, to);
        }
        else
        {
            dateRange = DateRange.All;
        }

        return new AggregateConfig
        {
            GroupBy = root.GetProperty("group_by").GetString()!,
            IncludeMetrics = [.. root.GetProperty("include_metrics").EnumerateArray().Select(m => m.GetString()!)],
            DateRange = dateRange,
        };
    }

    public static string WriteFactors(IReadOnlyList<ScoreFactor> factors) => Write(writer =>
    {
        writer.WriteStartArray();
        foreach (var factor in factors)
        {
            writer.WriteStartObject();
            writer.WriteString("code", factor.Code);
            writer.WriteNumber("value", factor.Value);
            writer.WriteNumber("weight", factor.Weight);
            writer.WriteNumber("points", factor.Points);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    public static IReadOnlyList<ScoreFactor> ReadFactors(string json)
    {
        using var document = JsonDocument.Parse(json);
        return
        [
            .. document.RootElement.EnumerateArray().Select(f => new ScoreFactor(
                f.GetProperty("code").GetString()!,
                f.GetProperty("value").GetDecimal(),
                f.GetProperty("weight").GetDecimal(),
                f.GetProperty("points").GetDecimal())),
        ];
    }

    private static string WriteObject(Action<Utf8JsonWriter> writeProperties) => Write(writer =>
    {
        writer.WriteStartObject();
        writeProperties(writer);
        writer.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> writeValue)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writeValue(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, DateOnly? value)
    {
        if (value is { } date)
        {
            writer.WriteString(name, date.ToString(DateFormat, CultureInfo.InvariantCulture));
        }
    }

    private static DateOnly? ReadOptionalDate(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? DateOnly.ParseExact(value.GetString()!, DateFormat, CultureInfo.InvariantCulture)
            : null;
}
