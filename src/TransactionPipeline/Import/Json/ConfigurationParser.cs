using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TransactionPipeline.Import.Json;

/// <summary>Reads <c>credit_model_config</c> and <c>aggregate_config</c>, rejecting what the pipeline would otherwise ignore.</summary>
internal static class ConfigurationParser
{
    /// <summary>Parses a config that must be an object or <c>null</c>, and reads the object with <paramref name="read"/>.</summary>
    /// <returns><paramref name="whenNull"/> for a JSON <c>null</c>, else what <paramref name="read"/> returns.</returns>
    private static T ParseObject<T>(ReadOnlySpan<byte> raw, long offset, string root, T whenNull, Func<JsonElement, T> read)
    {
        using var document = Parse(raw, offset, root);
        var element = document.RootElement;
        if (element.ValueKind == JsonValueKind.Null)
        {
            return whenNull;
        }

        RequireKind(element, JsonValueKind.Object, "an object", offset, root);
        return read(element);
    }

    public static CreditModelConfig ParseCreditModel(ReadOnlySpan<byte> raw, long offset)
    {
        var rawJson = Encoding.UTF8.GetString(raw);
        return ParseObject(raw, offset, "$.credit_model_config", CreditModelConfig.Default, element => ReadCreditModel(element, rawJson, offset));
    }

    private static CreditModelConfig ReadCreditModel(JsonElement element, string rawJson, long offset)
    {
        const string Root = "$.credit_model_config";
        var config = new CreditModelConfig { RawJson = rawJson };
        foreach (var property in element.EnumerateObject())
        {
            var path = $"{Root}.{property.Name}";
            var value = property.Value;
            switch (property.Name)
            {
                case "model_version":
                    RequireKind(value, JsonValueKind.String, "a string", offset, path);
                    config = config with { ModelVersion = value.GetString()! };
                    break;
                case "risk_threshold":
                    config = config with { RiskThreshold = ReadFraction(value, offset, path) };
                    break;
                case "volume_target":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var target) || target < 1)
                    {
                        throw Error($"\"volume_target\" must be a whole number of at least 1, but it is {value.GetRawText()}", offset, path);
                    }

                    config = config with { VolumeTarget = target };
                    break;
                case "credit_score_weights":
                    config = config with { Weights = ReadWeights(value, offset, path) };
                    break;
                default:
                    // Other properties belong to custom credit models, which read RawJson.
                    break;
            }
        }

        return config;
    }

    public static AggregateConfig ParseAggregate(ReadOnlySpan<byte> raw, long offset) =>
        ParseObject(raw, offset, "$.aggregate_config", AggregateConfig.Default, element => ReadAggregate(element, offset));

    private static AggregateConfig ReadAggregate(JsonElement element, long offset)
    {
        const string Root = "$.aggregate_config";
        var config = AggregateConfig.Default;
        DateOnly? asOf = null;
        JsonElement? range = null;
        foreach (var property in element.EnumerateObject())
        {
            var path = $"{Root}.{property.Name}";
            var value = property.Value;
            switch (property.Name)
            {
                case "group_by":
                    if (value.ValueKind != JsonValueKind.String || value.GetString() != AggregateConfig.GroupByDate)
                    {
                        throw Error($"\"group_by\" {value.GetRawText()} is not supported; the only grouping is \"date\"", offset, path);
                    }

                    break;
                case "include_metrics":
                    config = config with { IncludeMetrics = ReadMetrics(value, offset, path) };
                    break;
                case "date_range":
                    range = value.Clone();
                    break;
                case "as_of":
                    asOf = ReadDate(value, offset, path);
                    break;
                default:
                    throw Error(
                        $"\"{property.Name}\" is not a known aggregate_config property; use group_by, include_metrics, date_range or as_of",
                        offset,
                        path);
            }
        }

        return range is JsonElement r ? config with { DateRange = ReadRange(r, asOf, offset, $"{Root}.date_range") }
            : asOf is not null ? throw Error("\"as_of\" needs a \"last_N_days\" date_range", offset, $"{Root}.as_of")
            : config;
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> raw, long offset, string path)
    {
        try
        {
            return JsonDocument.Parse(raw.ToArray());
        }
        catch (JsonException ex)
        {
            throw Error($"Malformed JSON: {ex.Message}", offset, path);
        }
    }

    private static List<string> ReadMetrics(JsonElement value, long offset, string path)
    {
        RequireKind(value, JsonValueKind.Array, "an array of metric names", offset, path);
        var metrics = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            var name = item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText();
            if (item.ValueKind != JsonValueKind.String || !AggregateConfig.KnownMetrics.Contains(name))
            {
                throw Error(
                    $"Metric {item.GetRawText()} is not known; use {string.Join(", ", AggregateConfig.KnownMetrics)}",
                    offset,
                    path);
            }

            metrics.Add(name);
        }

        return metrics;
    }

    private static DateRange ReadRange(JsonElement value, DateOnly? asOf, long offset, string path)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            DateOnly? from = null;
            DateOnly? to = null;
            foreach (var property in value.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "from" or "start":
                        from = ReadDate(property.Value, offset, $"{path}.{property.Name}");
                        break;
                    case "to" or "end":
                        to = ReadDate(property.Value, offset, $"{path}.{property.Name}");
                        break;
                    default:
                        throw Error($"\"{property.Name}\" is not a date_range property; use from and to", offset, path);
                }
            }

            return from is DateOnly f && to is DateOnly t
                ? Between(f, t, offset, path)
                : throw Error("An explicit date_range needs both \"from\" and \"to\"", offset, path);
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error($"\"date_range\" must be \"all\", \"last_N_days\" or \"YYYY-MM-DD..YYYY-MM-DD\", but it is {value.GetRawText()}", offset, path);
        }

        var text = value.GetString()!;
        if (text == "all")
        {
            return asOf is null ? DateRange.All : throw Error("\"as_of\" needs a \"last_N_days\" date_range", offset, path);
        }

        if (text.StartsWith("last_", StringComparison.Ordinal) && text.EndsWith("_days", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5, text.Length - 10), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days >= 1)
        {
            return DateRange.Last(days, asOf);
        }

        var separator = text.IndexOf("..", StringComparison.Ordinal);
        if (separator > 0 && TryParseDate(text[..separator], out var first) && TryParseDate(text[(separator + 2)..], out var last))
        {
            return Between(first, last, offset, path);
        }

        throw Error($"\"date_range\" \"{text}\" is not \"all\", \"last_N_days\" (N at least 1) or \"YYYY-MM-DD..YYYY-MM-DD\"", offset, path);
    }

    private static DateRange Between(DateOnly from, DateOnly to, long offset, string path) => to >= from
        ? DateRange.Between(from, to)
        : throw Error($"\"date_range\" ends on {to:yyyy-MM-dd}, before it starts on {from:yyyy-MM-dd}", offset, path);

    private static DateOnly ReadDate(JsonElement value, long offset, string path) =>
        value.ValueKind == JsonValueKind.String && TryParseDate(value.GetString()!, out var date)
            ? date
            : throw Error($"{value.GetRawText()} is not a date in the form YYYY-MM-DD", offset, path);

    private static bool TryParseDate(string text, out DateOnly date) =>
        TransactionJsonReader.TryParseDate(Encoding.UTF8.GetBytes(text), out date);

    private static CreditScoreWeights ReadWeights(JsonElement value, long offset, string path)
    {
        RequireKind(value, JsonValueKind.Object, "an object", offset, path);
        var weights = CreditScoreWeights.Default;
        foreach (var property in value.EnumerateObject())
        {
            var weight = ReadWeight(property.Value, offset, $"{path}.{property.Name}");
            weights = property.Name switch
            {
                "transaction_volume" => weights with { TransactionVolume = weight },
                "revenue_ratio" => weights with { RevenueRatio = weight },
                "consistency" => weights with { Consistency = weight },
                _ => throw Error(
                    $"\"{property.Name}\" is not a known weight; use transaction_volume, revenue_ratio and consistency",
                    offset,
                    $"{path}.{property.Name}"),
            };
        }

        return weights.TransactionVolume + weights.RevenueRatio + weights.Consistency > 0
            ? weights
            : throw Error("The credit score weights add up to 0; at least one must be positive", offset, path);
    }

    private static decimal ReadWeight(JsonElement value, long offset, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var weight) && weight >= 0 && weight <= 1_000
            ? weight
            : throw Error($"A weight must be a number from 0 to 1000, but it is {value.GetRawText()}", offset, path);

    private static decimal ReadFraction(JsonElement value, long offset, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var fraction) && fraction >= 0 && fraction <= 1
            ? fraction
            : throw Error($"\"risk_threshold\" must be a number from 0 to 1, but it is {value.GetRawText()}", offset, path);

    private static void RequireKind(JsonElement value, JsonValueKind kind, string expected, long offset, string path)
    {
        if (value.ValueKind != kind)
        {
            throw Error($"{path[2..]} must be {expected}, but it is {value.GetRawText()}", offset, path);
        }
    }

    private static InvalidInputException Error(string message, long offset, string path) =>
        InvalidInputException.At($"{message} in {path[2..]}", null, offset, path);
}
