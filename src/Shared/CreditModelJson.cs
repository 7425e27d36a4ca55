using System.Text.Json;

namespace TransactionPipeline.Credit;

/// <summary>Writes the settings of a <see cref="CreditModelConfig"/> as JSON properties, one source for every place that does.</summary>
/// <remarks>Compiled into the core package (for a job's <c>config_used</c>) and into each store package (for the stored configuration).</remarks>
internal static class CreditModelJson
{
    /// <summary>Writes model version, threshold, the weights under <paramref name="weightsName"/> and the volume target into the open object.</summary>
    public static void WriteSettings(Utf8JsonWriter writer, CreditModelConfig config, string weightsName)
    {
        writer.WriteString("model_version", config.ModelVersion);
        writer.WriteNumber("risk_threshold", config.RiskThreshold);
        writer.WriteStartObject(weightsName);
        writer.WriteNumber("transaction_volume", config.Weights.TransactionVolume);
        writer.WriteNumber("revenue_ratio", config.Weights.RevenueRatio);
        writer.WriteNumber("consistency", config.Weights.Consistency);
        writer.WriteEndObject();
        writer.WriteNumber("volume_target", config.VolumeTarget);
    }
}
