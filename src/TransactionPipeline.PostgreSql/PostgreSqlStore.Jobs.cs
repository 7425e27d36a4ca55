using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace TransactionPipeline.PostgreSql;

internal sealed partial class PostgreSqlStore
{
    private const string TerminalStates = "('JOB_COMPLETE', 'FAILED')";

    /// <summary>Copies the row a data-modifying CTE named <c>job</c> returned into the event stream, as event number <c>event_count</c>.</summary>
    private static readonly string AppendEventFromJobSql =
        $"""
        INSERT INTO job_events (job_id, sequence, event_type, timestamp, {StatusColumns})
        SELECT id, event_count, @event_type, updated_at, {StatusColumns} FROM job
        RETURNING sequence;
        """;

    private static readonly string InsertJobSql =
        $"""
        WITH job AS (
            INSERT INTO jobs (id, owner, tenant, event_count, {StatusColumns}) VALUES (@id, @owner, @tenant, 1, {StatusParameters})
            RETURNING *
        )
        {AppendEventFromJobSql}
        """;

    /// <summary>The update, the terminal check and the next event sequence in one statement: the row lock orders concurrent writers.</summary>
    private static readonly string UpdateJobWithEventSql =
        $"""
        WITH job AS (
            UPDATE jobs SET event_count = event_count + 1, {StatusAssignments}
            WHERE id = @id AND owner = @owner AND state NOT IN {TerminalStates}
            RETURNING *
        )
        {AppendEventFromJobSql}
        """;

    private static readonly string UpdateJobSql =
        $"UPDATE jobs SET {StatusAssignments} WHERE id = @id AND owner = @owner AND state NOT IN {TerminalStates} RETURNING event_count;";

    private static readonly string SelectJobSql = $"SELECT id, tenant, {StatusColumns} FROM jobs";

    public async ValueTask<long> ReserveJobNumberAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // The upsert locks the day's counter row for its statement, so hosts creating jobs at once take numbers in turn.
        // The row outlives its jobs: a number is never handed out twice for one day, whatever restarts.
        using var next = new NpgsqlCommand(
            "INSERT INTO job_id_counters AS c (day, last) VALUES (@day, 1) ON CONFLICT (day) DO UPDATE SET last = c.last + 1 RETURNING last;",
            connection);
        next.Parameters.Add(new NpgsqlParameter<DateOnly>("day", day));
        return (int)(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async ValueTask<JobStatus> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var status = ToStored(job.Status);

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // One statement: the job row and its first event are written together or not at all.
        using var insert = new NpgsqlCommand(InsertJobSql, connection);
        insert.Parameters.Add(new NpgsqlParameter<string>("id", status.JobId));
        insert.Parameters.Add(new NpgsqlParameter<string>("owner", job.OwnerId));
        insert.Parameters.Add(new NpgsqlParameter<string?>("tenant", job.Status.Tenant));
        insert.Parameters.Add(new NpgsqlParameter<string>("event_type", job.EventType));
        AddStatusParameters(insert.Parameters, status);
        try
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException($"Job '{status.JobId}' already exists.", ex);
        }

        return status;
    }

    public async ValueTask<JobStatus?> FindAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await QueryAsync(
                $"{SelectJobSql} WHERE id = @id;",
                p => p.Add(new NpgsqlParameter<string>("id", jobId)),
                ReadJob,
                cancellationToken)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<JobUpdateResult> UpdateAsync(JobUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var status = ToStored(update.Status);

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        object? sequence;
        using (var command = new NpgsqlCommand(update.EventType is null ? UpdateJobSql : UpdateJobWithEventSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string>("id", status.JobId));
            command.Parameters.Add(new NpgsqlParameter<string>("owner", update.OwnerId));
            if (update.EventType is not null)
            {
                command.Parameters.Add(new NpgsqlParameter<string>("event_type", update.EventType));
            }

            AddStatusParameters(command.Parameters, status);
            sequence = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }

        if (sequence is null)
        {
            // No row matched: say why. A job that turned terminal meanwhile stays terminal either way.
            using var current = new NpgsqlCommand("SELECT state FROM jobs WHERE id = @id;", connection);
            current.Parameters.Add(new NpgsqlParameter<string>("id", status.JobId));
            string? state = null;
            using (var reader = await current.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    state = reader.GetString(0);
                }
            }

            return state switch
            {
                null => JobUpdateResult.NotFound,
                "JOB_COMPLETE" or "FAILED" => JobUpdateResult.Terminal,
                // Open: another instance owned it when the update ran (even if the lease came back since).
                _ => JobUpdateResult.LeaseLost,
            };
        }

        return JobUpdateResult.Updated(update.EventType is null ? null : new JobEvent((long)sequence, update.EventType, status.UpdatedAt, status));
    }

    public async ValueTask SaveConfigurationAsync(string jobId, PipelineConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(configuration);
        var updated = await ExecuteAsync(
            "UPDATE jobs SET credit_config = @credit, aggregate_config = @aggregate, trace_parent = @trace WHERE id = @id;",
            p =>
            {
                p.Add(new NpgsqlParameter<string>("id", jobId));
                p.Add(new NpgsqlParameter<string>("credit", StoredJson.WriteCreditModel(configuration.CreditModel)) { NpgsqlDbType = NpgsqlDbType.Json });
                p.Add(new NpgsqlParameter<string>("aggregate", StoredJson.WriteAggregate(configuration.Aggregate)) { NpgsqlDbType = NpgsqlDbType.Json });
                p.Add(new NpgsqlParameter("trace", NpgsqlDbType.Text) { Value = (object?)configuration.TraceParent ?? DBNull.Value });
            }, cancellationToken).ConfigureAwait(false);
        if (updated == 0)
        {
            throw new InvalidOperationException($"Job '{jobId}' does not exist.");
        }
    }

    public async ValueTask<PipelineConfiguration?> FindConfigurationAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await QueryAsync(
                "SELECT credit_config, aggregate_config, trace_parent FROM jobs WHERE id = @id AND credit_config IS NOT NULL;",
                p => p.Add(new NpgsqlParameter<string>("id", jobId)),
                StoredJson.ReadConfiguration,
                cancellationToken)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> TryClaimAsync(JobClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);

        // One statement: PostgreSQL re-checks the WHERE clause on the row it locks, so of two hosts claiming a stale
        // job at once the second sees the first one's fresh lease and gets nothing.
        var claimed = await ExecuteAsync(
            $"""
            UPDATE jobs SET owner = @owner, updated_at = @claimed_at
            WHERE id = @id AND state NOT IN {TerminalStates} AND (owner = @owner OR updated_at < @stale_before);
            """,
            p =>
            {
                p.Add(new NpgsqlParameter<string>("id", claim.JobId));
                p.Add(new NpgsqlParameter<string>("owner", claim.OwnerId));
                p.Add(new NpgsqlParameter<DateTimeOffset>("claimed_at", ToStored(claim.ClaimedAt)));
                p.Add(new NpgsqlParameter<DateTimeOffset>("stale_before", ToStored(claim.StaleBefore)));
            }, cancellationToken).ConfigureAwait(false);
        return claimed == 1;
    }

    public async ValueTask<JobUpdateOutcome> RequestCancellationAsync(string jobId, string requestedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(requestedBy);
        var updated = await ExecuteAsync(
            JobSql.RequestCancellation,
            p =>
            {
                p.Add(new NpgsqlParameter<string>("id", jobId));
                p.Add(new NpgsqlParameter<string>("by", requestedBy));
            }, cancellationToken).ConfigureAwait(false);
        if (updated == 1)
        {
            return JobUpdateOutcome.Updated;
        }

        return await FindAsync(jobId, cancellationToken).ConfigureAwait(false) is null ? JobUpdateOutcome.NotFound : JobUpdateOutcome.Terminal;
    }

    /// <remarks>The job's events go with it: their foreign key cascades.</remarks>
    public async ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await ExecuteAsync(JobSql.DeleteFinished, p => p.Add(new NpgsqlParameter<string>("id", jobId)), cancellationToken).ConfigureAwait(false) == 1;
    }

    public async ValueTask<IReadOnlyList<JobCancellationRequest>> ListCancellationRequestsAsync(string ownerId, CancellationToken cancellationToken) =>
        await QueryAsync(
                JobSql.ListCancellationRequests,
                p => p.Add(new NpgsqlParameter<string>("owner", ownerId)),
                r => new JobCancellationRequest(r.GetString(0), r.GetString(1)),
                cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<JobStatus>> ListAsync(JobQuery query, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (sql, parameters) = JobSql.Build(SelectJobSql, query, limit, time => ToStored(time));
        return await QueryAsync(sql, p => parameters.ForEach(v => p.Add(new NpgsqlParameter(v.Name, v.Value))), ReadJob, cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<JobStatus>> ListUnfinishedAsync(CancellationToken cancellationToken) =>
        await QueryAsync($"{SelectJobSql} WHERE state NOT IN {TerminalStates} ORDER BY created_at, id;", _ => { }, ReadJob, cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await QueryAsync(
                $"SELECT sequence, event_type, timestamp, {StatusColumns} FROM job_events WHERE job_id = @id AND sequence > @after ORDER BY sequence;",
                p =>
                {
                    p.Add(new NpgsqlParameter<string>("id", jobId));
                    p.Add(new NpgsqlParameter<long>("after", afterSequence));
                },
                r => new JobEvent(r.GetInt64(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), ReadStatus(r, jobId, 3)),
                cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    private static JobStatus ReadJob(NpgsqlDataReader reader) =>
        ReadStatus(reader, reader.GetString(0), 2) with { Tenant = reader.IsDBNull(1) ? null : reader.GetString(1) };

    public async ValueTask<bool> TryAcquireLeaseAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(holder);

        // The upsert's row lock orders hosts asking at once: the second sees the first's fresh lease and changes nothing.
        return await ExecuteAsync(
            """
            INSERT INTO leases AS l (name, holder, expires_at) VALUES (@name, @holder, @expires_at)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE l.holder = excluded.holder OR l.expires_at <= @now;
            """,
            p =>
            {
                p.Add(new NpgsqlParameter<string>("name", name));
                p.Add(new NpgsqlParameter<string>("holder", holder));
                p.Add(new NpgsqlParameter<DateTimeOffset>("now", ToStored(now)));
                p.Add(new NpgsqlParameter<DateTimeOffset>("expires_at", ToStored(now + duration)));
            },
            cancellationToken).ConfigureAwait(false) == 1;
    }
}
