using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

/// <summary>How model values map to SQLite columns, shared by the <c>jobs</c> and <c>job_events</c> tables.</summary>
internal static class SqliteValues
{
    private static readonly string[] StatusColumnNames =
    [
        "state", "stage", "transactions_imported", "bytes_read", "bytes_total", "aggregates_created", "offers_generated",
        "created_at", "updated_at", "completed_at", "error_kind", "error_message", "error_item_index", "error_byte_offset", "error_path",
    ];

    /// <summary>Gets the snapshot columns, in the order <see cref="ReadStatus"/> reads them.</summary>
    public static string StatusColumns { get; } = string.Join(", ", StatusColumnNames);

    /// <summary>Gets the parameters bound by <see cref="AddStatusParameters"/>, in column order.</summary>
    public static string StatusParameters { get; } = string.Join(", ", StatusColumnNames.Select(c => "@" + c));

    /// <summary>Gets the <c>column = @column</c> list of an UPDATE of the snapshot.</summary>
    public static string StatusAssignments { get; } = string.Join(", ", StatusColumnNames.Select(c => $"{c} = @{c}"));

    public static void AddStatusParameters(SqliteCommand command, JobStatus status)
    {
        var progress = status.Progress;
        var error = status.Error;
        object?[] values =
        [
            StateToText(status.State), status.Stage.ToString(), progress.TransactionsImported, progress.BytesRead, progress.BytesTotal,
            progress.AggregatesCreated, progress.OffersGenerated, ToTicks(status.CreatedAt), ToTicks(status.UpdatedAt),
            status.CompletedAt is { } completedAt ? ToTicks(completedAt) : null,
            error?.Kind.ToString(), error?.Message, error?.ItemIndex, error?.ByteOffset, error?.Path,
        ];
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue("@" + StatusColumnNames[i], values[i] ?? DBNull.Value);
        }
    }

    public static JobStatus ReadStatus(SqliteDataReader reader, string jobId, int first)
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
            CreatedAt = FromTicks(reader.GetInt64(first + 7)),
            UpdatedAt = FromTicks(reader.GetInt64(first + 8)),
            CompletedAt = NullableInt64(reader, first + 9) is { } completedAt ? FromTicks(completedAt) : null,
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

    public static long ToTicks(DateTimeOffset value) => value.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    public static decimal FromCents(long cents) => new decimal(cents) / 100m;

    public static string DecimalToText(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static decimal TextToDecimal(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    public static string DateToText(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly TextToDate(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
