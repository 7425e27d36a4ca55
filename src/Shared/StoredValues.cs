using System.Data.Common;
using System.Globalization;

namespace TransactionPipeline.Storage;

/// <summary>How the durable stores write job states, risk levels and amounts as column values, and read them back.</summary>
/// <remarks>Compiled into each store package from one source file, so every store keeps the same values.</remarks>
internal static class StoredValues
{
    /// <summary>Gets the snapshot columns of the <c>jobs</c> and <c>job_events</c> tables, in the order <see cref="ReadStatus"/> reads them.</summary>
    public static IReadOnlyList<string> StatusColumnNames { get; } =
    [
        "state", "stage", "transactions_imported", "bytes_read", "bytes_total", "aggregates_created", "offers_generated",
        "created_at", "updated_at", "completed_at", "error_kind", "error_message", "error_item_index", "error_byte_offset", "error_path",
    ];

    /// <summary>Gets the snapshot columns as a SQL list.</summary>
    public static string StatusColumns { get; } = string.Join(", ", StatusColumnNames);

    /// <summary>Gets the parameters a store binds for the snapshot, in column order.</summary>
    public static string StatusParameters { get; } = string.Join(", ", StatusColumnNames.Select(c => "@" + c));

    /// <summary>Gets the <c>column = @column</c> list of an UPDATE of the snapshot.</summary>
    public static string StatusAssignments { get; } = string.Join(", ", StatusColumnNames.Select(c => $"{c} = @{c}"));

    /// <summary>Reads a snapshot from the <see cref="StatusColumnNames"/> starting at column <paramref name="first"/>.</summary>
    /// <param name="reader">The reader, on a row.</param>
    /// <param name="jobId">The job id of the row.</param>
    /// <param name="first">The ordinal of the first snapshot column.</param>
    /// <param name="readTime">Reads a non-null time column the way the store keeps times.</param>
    public static JobStatus ReadStatus(DbDataReader reader, string jobId, int first, Func<DbDataReader, int, DateTimeOffset> readTime)
    {
        var errorKind = NullableString(reader, first + 10);
        return new JobStatus
        {
            JobId = jobId,
            State = TextToState(reader.GetString(first)),
            Stage = Enum.Parse<PipelineStage>(reader.GetString(first + 1)),
            Progress = new JobProgress(
                reader.GetInt64(first + 2),
                reader.GetInt64(first + 3),
                NullableInt64(reader, first + 4),
                reader.GetInt32(first + 5),
                reader.GetInt32(first + 6)),
            CreatedAt = readTime(reader, first + 7),
            UpdatedAt = readTime(reader, first + 8),
            CompletedAt = reader.IsDBNull(first + 9) ? null : readTime(reader, first + 9),
            Error = errorKind is null
                ? null
                : new JobError(
                    Enum.Parse<JobErrorKind>(errorKind),
                    reader.GetString(first + 11),
                    NullableInt64(reader, first + 12),
                    NullableInt64(reader, first + 13),
                    NullableString(reader, first + 14)),
        };
    }

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
