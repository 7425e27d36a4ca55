using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

internal sealed partial class SqliteStore
{
    private const string TerminalStates = "('JOB_COMPLETE', 'FAILED')";

    /// <summary>SQLITE_CONSTRAINT: here, a job id that exists already.</summary>
    private const int SqliteConstraintError = 19;

    private static readonly string InsertJobSql =
        $"INSERT INTO jobs (id, owner, tenant, {StatusColumns}) VALUES (@id, @owner, @tenant, {StatusParameters});";

    private static readonly string UpdateJobSql =
        $"UPDATE jobs SET {StatusAssignments} WHERE id = @id;";

    private static readonly string InsertEventSql =
        $"""
        INSERT INTO job_events (job_id, sequence, event_type, timestamp, {StatusColumns})
        VALUES (@id, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM job_events WHERE job_id = @id), @event_type, @timestamp, {StatusParameters})
        RETURNING sequence;
        """;

    private static readonly string SelectJobSql = $"SELECT id, tenant, {StatusColumns} FROM jobs";

    public async ValueTask<long> ReserveJobNumberAsync(DateOnly day, CancellationToken cancellationToken)
    {
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

        // The counter row outlives its jobs, so a number is never handed out twice for one day, even after a restart.
        long number;
        using (var next = CreateCommand(
            connection,
            transaction,
            "INSERT INTO job_id_counters (day, last) VALUES (@day, 1) ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last;",
            ("@day", day.ToString("yyyyMMdd", CultureInfo.InvariantCulture))))
        {
            number = (long)(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return number;
    }

    public async ValueTask<JobStatus> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var status = job.Status;

        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        using (var insert = CreateCommand(connection, transaction, InsertJobSql, ("@id", status.JobId), ("@owner", job.OwnerId), ("@tenant", status.Tenant)))
        {
            AddStatusParameters(insert, status);
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraintError)
            {
                throw new InvalidOperationException($"Job '{status.JobId}' already exists.", ex);
            }
        }

        await AppendEventAsync(connection, transaction, job.EventType, status, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return status;
    }

    public async ValueTask<JobStatus?> FindAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await QueryAsync($"{SelectJobSql} WHERE id = @id;", ReadJob, cancellationToken, ("@id", jobId))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<JobUpdateResult> UpdateAsync(JobUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var status = update.Status;

        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        using (var current = CreateCommand(connection, transaction, "SELECT state, owner FROM jobs WHERE id = @id;", ("@id", status.JobId)))
        using (var reader = await current.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return JobUpdateResult.NotFound;
            }

            if (TextToState(reader.GetString(0)) is JobState.JobComplete or JobState.Failed)
            {
                return JobUpdateResult.Terminal;
            }

            // The write transaction holds SQLite's write lock, so no claim can slip in between this check and the update.
            if (await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false) || reader.GetString(1) != update.OwnerId)
            {
                return JobUpdateResult.LeaseLost;
            }
        }

        using (var write = CreateCommand(connection, transaction, UpdateJobSql, ("@id", status.JobId)))
        {
            AddStatusParameters(write, status);
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        JobEvent? appended = null;
        if (update.EventType is not null)
        {
            appended = await AppendEventAsync(connection, transaction, update.EventType, status, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return JobUpdateResult.Updated(appended);
    }

    public async ValueTask SaveConfigurationAsync(string jobId, PipelineConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(configuration);
        var updated = await ExecuteAsync(
            "UPDATE jobs SET credit_config_json = @credit, aggregate_config_json = @aggregate, trace_parent = @trace WHERE id = @id;",
            cancellationToken,
            ("@id", jobId),
            ("@credit", StoredJson.WriteCreditModel(configuration.CreditModel)),
            ("@aggregate", StoredJson.WriteAggregate(configuration.Aggregate)),
            ("@trace", (object?)configuration.TraceParent ?? DBNull.Value)).ConfigureAwait(false);
        if (updated == 0)
        {
            throw new InvalidOperationException($"Job '{jobId}' does not exist.");
        }
    }

    public async ValueTask<PipelineConfiguration?> FindConfigurationAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await QueryAsync(
                "SELECT credit_config_json, aggregate_config_json, trace_parent FROM jobs WHERE id = @id AND credit_config_json IS NOT NULL;",
                StoredJson.ReadConfiguration,
                cancellationToken,
                ("@id", jobId))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> TryClaimAsync(JobClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);

        // One statement: the check and the take-over are atomic, so two hosts can never both win a stale job.
        var claimed = await ExecuteAsync(
            $"""
            UPDATE jobs SET owner = @owner, updated_at = @claimed_at
            WHERE id = @id AND state NOT IN {TerminalStates} AND (owner = @owner OR updated_at < @stale_before);
            """,
            cancellationToken,
            ("@id", claim.JobId),
            ("@owner", claim.OwnerId),
            ("@claimed_at", ToTicks(claim.ClaimedAt)),
            ("@stale_before", ToTicks(claim.StaleBefore))).ConfigureAwait(false);
        return claimed == 1;
    }

    public async ValueTask<JobUpdateOutcome> RequestCancellationAsync(string jobId, string requestedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(requestedBy);
        var updated = await ExecuteAsync(
            JobSql.RequestCancellation,
            cancellationToken,
            ("@id", jobId),
            ("@by", requestedBy)).ConfigureAwait(false);
        if (updated == 1)
        {
            return JobUpdateOutcome.Updated;
        }

        return await FindAsync(jobId, cancellationToken).ConfigureAwait(false) is null ? JobUpdateOutcome.NotFound : JobUpdateOutcome.Terminal;
    }

    public async ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (await ExecuteAsync(connection, transaction, JobSql.DeleteFinished, cancellationToken, ("@id", jobId)).ConfigureAwait(false) == 0)
        {
            return false;
        }

        await ExecuteAsync(connection, transaction, "DELETE FROM job_events WHERE job_id = @id;", cancellationToken, ("@id", jobId)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<IReadOnlyList<JobCancellationRequest>> ListCancellationRequestsAsync(string ownerId, CancellationToken cancellationToken) =>
        await QueryAsync(
                JobSql.ListCancellationRequests,
                r => new JobCancellationRequest(r.GetString(0), r.GetString(1)),
                cancellationToken,
                ("@owner", ownerId))
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<JobStatus>> ListAsync(JobQuery query, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (sql, parameters) = JobSql.Build(SelectJobSql, query, limit, time => ToTicks(time));
        return await QueryAsync(sql, ReadJob, cancellationToken, [.. parameters.Select(p => ("@" + p.Name, (object?)p.Value))])
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<JobStatus>> ListUnfinishedAsync(CancellationToken cancellationToken) =>
        await QueryAsync($"{SelectJobSql} WHERE state NOT IN {TerminalStates} ORDER BY created_at, id;", ReadJob, cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await QueryAsync(
                $"SELECT sequence, event_type, timestamp, {StatusColumns} FROM job_events WHERE job_id = @id AND sequence > @after ORDER BY sequence;",
                r => new JobEvent(r.GetInt64(0), r.GetString(1), FromTicks(r.GetInt64(2)), ReadStatus(r, jobId, 3)),
                cancellationToken,
                ("@id", jobId),
                ("@after", afterSequence))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<JobEvent> AppendEventAsync(
        SqliteConnection connection, SqliteTransaction transaction, string eventType, JobStatus status, CancellationToken cancellationToken)
    {
        using var insert = CreateCommand(
            connection,
            transaction,
            InsertEventSql,
            ("@id", status.JobId),
            ("@event_type", eventType),
            ("@timestamp", ToTicks(status.UpdatedAt)));
        AddStatusParameters(insert, status);
        var sequence = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new JobEvent(sequence, eventType, status.UpdatedAt, status);
    }

    private static JobStatus ReadJob(SqliteDataReader reader) =>
        ReadStatus(reader, reader.GetString(0), 2) with { Tenant = reader.IsDBNull(1) ? null : reader.GetString(1) };

    public async ValueTask<bool> TryAcquireLeaseAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(holder);
        return await ExecuteAsync(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expires_at)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= @now;
            """,
            cancellationToken,
            ("@name", name),
            ("@holder", holder),
            ("@now", ToTicks(now)),
            ("@expires_at", ToTicks(now + duration))).ConfigureAwait(false) == 1;
    }
}
