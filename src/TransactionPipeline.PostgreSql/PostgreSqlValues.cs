using Npgsql;
using NpgsqlTypes;

namespace TransactionPipeline.PostgreSql;

/// <summary>How model values map to PostgreSQL columns, shared by the <c>jobs</c> and <c>job_events</c> tables.</summary>
internal static class PostgreSqlValues
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

    /// <summary>Binds a snapshot already passed through <see cref="PostgreSqlStore.ToStored(JobStatus)"/>.</summary>
    public static void AddStatusParameters(NpgsqlParameterCollection parameters, JobStatus status)
    {
        var progress = status.Progress;
        var error = status.Error;
        parameters.Add(new NpgsqlParameter<string>("state", StateToText(status.State)));
        parameters.Add(new NpgsqlParameter<string>("stage", status.Stage.ToString()));
        parameters.Add(new NpgsqlParameter<long>("transactions_imported", progress.TransactionsImported));
        parameters.Add(new NpgsqlParameter<long>("bytes_read", progress.BytesRead));
        parameters.Add(Nullable("bytes_total", NpgsqlDbType.Bigint, progress.BytesTotal));
        parameters.Add(new NpgsqlParameter<int>("aggregates_created", progress.AggregatesCreated));
        parameters.Add(new NpgsqlParameter<int>("offers_generated", progress.OffersGenerated));
        parameters.Add(new NpgsqlParameter<DateTimeOffset>("created_at", status.CreatedAt));
        parameters.Add(new NpgsqlParameter<DateTimeOffset>("updated_at", status.UpdatedAt));
        parameters.Add(Nullable("completed_at", NpgsqlDbType.TimestampTz, status.CompletedAt));
        parameters.Add(Nullable("error_kind", NpgsqlDbType.Text, error?.Kind.ToString()));
        parameters.Add(Nullable("error_message", NpgsqlDbType.Text, error?.Message));
        parameters.Add(Nullable("error_item_index", NpgsqlDbType.Bigint, error?.ItemIndex));
        parameters.Add(Nullable("error_byte_offset", NpgsqlDbType.Bigint, error?.ByteOffset));
        parameters.Add(Nullable("error_path", NpgsqlDbType.Text, error?.Path));
    }

    public static JobStatus ReadStatus(NpgsqlDataReader reader, string jobId, int first)
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
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(first + 7),
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(first + 8),
            CompletedAt = reader.IsDBNull(first + 9) ? null : reader.GetFieldValue<DateTimeOffset>(first + 9),
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

    public static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };
}
