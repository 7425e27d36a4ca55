
namespace TransactionPipeline.Sqlite;

internal sealed partial class SqliteStore : IWebhookStore
{
    async ValueTask IWebhookStore.SaveAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            null,
            """
            INSERT INTO webhooks (id, job_id, url, events, secret, created_at, delivered_through, finished)
            VALUES (@id, @job_id, @url, @events, @secret, @created_at, @delivered_through, 0);
            """,
            cancellationToken,
            ("@id", subscription.Id),
            ("@job_id", subscription.JobId),
            ("@url", subscription.Url.ToString()),
            ("@events", string.Join(' ', subscription.Events)),
            ("@secret", subscription.Secret),
            ("@created_at", ToTicks(subscription.CreatedAt)),
            ("@delivered_through", subscription.DeliveredThrough)).ConfigureAwait(false);
    }

    async ValueTask IWebhookStore.DeleteForJobAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        await ExecuteAsync("DELETE FROM webhooks WHERE job_id = @job_id;", cancellationToken, ("@job_id", jobId)).ConfigureAwait(false);
    }

    async ValueTask<IReadOnlyList<WebhookSubscription>> IWebhookStore.ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        var subscriptions = new List<WebhookSubscription>();
        var rows = QueryAsync(
            "SELECT id, job_id, url, events, secret, created_at, delivered_through FROM webhooks WHERE finished = 0 ORDER BY created_at;",
            reader => new WebhookSubscription(
                reader.GetString(0),
                reader.GetString(1),
                new Uri(reader.GetString(2)),
                reader.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries),
                reader.GetString(4),
                FromTicks(reader.GetInt64(5)),
                reader.GetInt64(6)),
            cancellationToken);
        await foreach (var subscription in rows.ConfigureAwait(false))
        {
            subscriptions.Add(subscription);
        }

        return subscriptions;
    }

    async ValueTask IWebhookStore.MarkDeliveredAsync(string subscriptionId, long sequence, bool finished, CancellationToken cancellationToken)
    {
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            null,
            """
            UPDATE webhooks SET delivered_through = MAX(delivered_through, @sequence), finished = MAX(finished, @finished)
            WHERE id = @id;
            """,
            cancellationToken,
            ("@id", subscriptionId),
            ("@sequence", sequence),
            ("@finished", finished ? 1 : 0)).ConfigureAwait(false);
    }
}
