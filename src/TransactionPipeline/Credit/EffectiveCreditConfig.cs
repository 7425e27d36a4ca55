using System.Buffers;
using System.Text.Json;

namespace TransactionPipeline.Credit;

/// <summary>The credit model configuration a job really used, as the JSON its results report (<c>config_used</c>).</summary>
internal static class EffectiveCreditConfig
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "model_version", "risk_threshold", "credit_score_weights", "volume_target",
    };

    /// <summary>
    /// Every setting with the value the model used, defaults filled in, followed by the request's other properties
    /// (for a custom model) exactly as sent.
    /// </summary>
    public static string ToJson(CreditModelConfig config)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            CreditModelJson.WriteSettings(writer, config, "credit_score_weights");
            if (config.RawJson is { Length: > 0 } raw)
            {
                using var sent = JsonDocument.Parse(raw);
                if (sent.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in sent.RootElement.EnumerateObject().Where(p => !Known.Contains(p.Name)))
                    {
                        property.WriteTo(writer);
                    }
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
