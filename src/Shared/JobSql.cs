namespace TransactionPipeline.Storage;

/// <summary>The statements on the jobs table that both SQL stores write the same way.</summary>
internal static class JobSql
{
    private const string Unfinished = "state NOT IN ('JOB_COMPLETE', 'FAILED')";

    /// <summary>Deletes a finished job (parameter <c>@id</c>); an unfinished one is left as it is.</summary>
    public const string DeleteFinished = $"DELETE FROM jobs WHERE id = @id AND NOT ({Unfinished});";

    /// <summary>Records a cancellation request (parameters <c>@id</c>, <c>@by</c>) on an unfinished job.</summary>
    public const string RequestCancellation = $"UPDATE jobs SET cancel_requested_by = @by WHERE id = @id AND {Unfinished};";

    /// <summary>The cancellation requests (id, who asked) of the unfinished jobs of one owner (parameter <c>@owner</c>).</summary>
    public const string ListCancellationRequests =
        $"SELECT id, cancel_requested_by FROM jobs WHERE owner = @owner AND cancel_requested_by IS NOT NULL AND {Unfinished};";

    /// <summary>
    /// Builds <see cref="IJobStore.ListAsync"/>: newest first by (created_at, id), filtered, and after the cursor's position
    /// by a row-value comparison, which walks the (created_at, id) index.
    /// </summary>
    /// <returns>The query's text and its parameters, named without a prefix.</returns>
    /// <param name="select">The <c>SELECT ... FROM jobs</c> of the store.</param>
    /// <param name="query">The filters and the cursor.</param>
    /// <param name="limit">How many jobs at most.</param>
    /// <param name="storedTime">How the store writes a time (ticks, or a UTC <see cref="DateTimeOffset"/>).</param>
    public static (string Sql, List<(string Name, object Value)> Parameters) Build(
        string select, JobQuery query, int limit, Func<DateTimeOffset, object> storedTime)
    {
        var conditions = new List<string>();
        var parameters = new List<(string Name, object Value)> { ("limit", limit) };
        if (query.State is { } state)
        {
            conditions.Add("state = @state");
            parameters.Add(("state", StoredValues.StateToText(state)));
        }

        if (query.Tenant is { } tenant)
        {
            conditions.Add("tenant = @tenant");
            parameters.Add(("tenant", tenant));
        }

        if (query.CreatedAfter is { } since)
        {
            conditions.Add("created_at > @since");
            parameters.Add(("since", storedTime(since)));
        }

        if (query.CreatedBefore is { } until)
        {
            conditions.Add("created_at < @until");
            parameters.Add(("until", storedTime(until)));
        }

        if (query.TryGetPosition(out var createdAt, out var jobId))
        {
            conditions.Add("(created_at, id) < (@created_at, @id)");
            parameters.Add(("created_at", storedTime(createdAt)));
            parameters.Add(("id", jobId));
        }

        var where = conditions.Count == 0 ? string.Empty : $" WHERE {string.Join(" AND ", conditions)}";
        return ($"{select}{where} ORDER BY created_at DESC, id DESC LIMIT @limit;", parameters);
    }
}
