using Npgsql;
using NpgsqlTypes;

namespace TransactionPipeline.PostgreSql;

/// <summary>How model values map to PostgreSQL columns, shared by the <c>jobs</c> and <c>job_events</c> tables.</summary>
internal static class PostgreSqlValues
{
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

    public static JobStatus ReadStatus(NpgsqlDataReader reader, string jobId, int first) =>
        StoredValues.ReadStatus(reader, jobId, first, static (r, i) => r.GetFieldValue<DateTimeOffset>(i));

    public static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };
}
