using System.Data.Common;
using System.Globalization;

namespace TransactionPipeline.Storage;

/// <summary>How the durable stores write job states, risk levels and amounts as column values, and read them back.</summary>
/// <remarks>Compiled into each store package from one source file, so every store keeps the same values.</remarks>
internal static class StoredValues
{
    /// <summary>Gets the state names the schemas' constraints and terminal checks use.</summary>
    public static string StateToText(JobState state) => state switch
    {
        JobState.Open => "OPEN",
        JobState.InProgress => "IN_PROGRESS",
        JobState.JobComplete => "JOB_COMPLETE",
        JobState.Failed => "FAILED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown job state."),
    };

    public static JobState TextToState(string text) => text switch
    {
        "OPEN" => JobState.Open,
        "IN_PROGRESS" => JobState.InProgress,
        "JOB_COMPLETE" => JobState.JobComplete,
        "FAILED" => JobState.Failed,
        _ => throw new InvalidDataException($"Unknown job state '{text}' in the database."),
    };

    public static string RiskToText(RiskLevel risk) => risk.ToString().ToUpperInvariant();

    public static RiskLevel TextToRisk(string text) => Enum.Parse<RiskLevel>(text, ignoreCase: true);

    /// <summary>Converts an amount to whole cents, refusing anything that would lose precision.</summary>
    /// <exception cref="ArgumentException">The amount has more than 2 decimals.</exception>
    public static long ToCents(decimal amount)
    {
        // Hot path of the bulk writes: read the mantissa and scale instead of multiplying decimals.
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(amount, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var mantissa = ((long)bits[1] << 32) | (uint)bits[0];
        if (bits[2] == 0 && scale <= 2 && mantissa is >= 0 and <= long.MaxValue / 100)
        {
            var scaled = scale == 0 ? mantissa * 100 : scale == 1 ? mantissa * 10 : mantissa;
            return bits[3] < 0 ? -scaled : scaled;
        }

        var cents = amount * 100m;
        if (cents != decimal.Truncate(cents))
        {
            throw new ArgumentException($"The amount {amount.ToString(CultureInfo.InvariantCulture)} has more than 2 decimals.", nameof(amount));
        }

        return decimal.ToInt64(cents);
    }

    public static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
