using Npgsql;

namespace TransactionPipeline.PostgreSql;

internal sealed partial class PostgreSqlStore : IWebhookStore
{
    async ValueTask IWebhookStore.SaveAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        await ExecuteAsync(
            """
            INSERT INTO webhooks (id, job_id, url, events, secret, created_at, delivered_through, finished)
            VALUES (@id, @job_id, @url, @events, @secret, @created_at, @delivered_through, false);
            """,
            p =>
            {
                p.Add(new NpgsqlParameter<string>("id", subscription.Id));
                p.Add(new NpgsqlParameter<string>("job_id", subscription.JobId));
                p.Add(new NpgsqlParameter<string>("url", subscription.Url.ToString()));
                p.Add(new NpgsqlParameter<string[]>("events", [.. subscription.Events]));
                p.Add(new NpgsqlParameter<string>("secret", subscription.Secret));
                p.Add(new NpgsqlParameter<DateTimeOffset>("created_at", ToStored(subscription.CreatedAt)));
                p.Add(new NpgsqlParameter<long>("delivered_through", subscription.DeliveredThrough));
            },
            cancellationToken).ConfigureAwait(false);
    }

    async ValueTask IWebhookStore.DeleteForJobAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        await ExecuteAsync("DELETE FROM webhooks WHERE job_id = @job_id;", p => p.Add(new NpgsqlParameter<string>("job_id", jobId)), cancellationToken).ConfigureAwait(false);
    }

    async ValueTask<IReadOnlyList<WebhookSubscription>> IWebhookStore.ListUnfinishedAsync(CancellationToken cancellationToken) =>
        await QueryAsync(
                "SELECT id, job_id, url, events, secret, created_at, delivered_through FROM webhooks WHERE NOT finished ORDER BY created_at, id;",
                _ => { },
                reader => new WebhookSubscription(
                    reader.GetString(0),
                    reader.GetString(1),
                    new Uri(reader.GetString(2)),
                    reader.GetFieldValue<string[]>(3),
                    reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5),
                    reader.GetInt64(6)),
                cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    async ValueTask IWebhookStore.MarkDeliveredAsync(string subscriptionId, long sequence, bool finished, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);

        // Progress never goes back: two hosts delivering the same subscription can only move it forward.
        await ExecuteAsync(
            """
            UPDATE webhooks SET delivered_through = GREATEST(delivered_through, @sequence), finished = finished OR @finished
            WHERE id = @id;
            """,
            p =>
            {
                p.Add(new NpgsqlParameter<string>("id", subscriptionId));
                p.Add(new NpgsqlParameter<long>("sequence", sequence));
                p.Add(new NpgsqlParameter<bool>("finished", finished));
            },
            cancellationToken).ConfigureAwait(false);
    }
}
