using System.Collections.Concurrent;
using System.Threading.Channels;

namespace TransactionPipeline.AspNetCore.Webhooks;

/// <summary>One registration: which of a job's events go to which URL, signed with which secret.</summary>
/// <remarks><c>DeliveredThrough</c> is the last event sequence already handled, when the registration is resumed after a restart.</remarks>
internal sealed record WebhookRegistration(
    string Id, string JobId, Uri Url, IReadOnlySet<string> Events, string Secret, DateTimeOffset CreatedAt, long DeliveredThrough = 0)
{
    public WebhookSubscription ToSubscription() => new(Id, JobId, Url, [.. Events], Secret, CreatedAt, DeliveredThrough);

    public static WebhookRegistration From(WebhookSubscription subscription) => new(
        subscription.Id,
        subscription.JobId,
        subscription.Url,
        new HashSet<string>(subscription.Events, StringComparer.Ordinal),
        subscription.Secret,
        subscription.CreatedAt,
        subscription.DeliveredThrough);
}

/// <summary>Holds registrations, keeps them in the store when it is an <see cref="IWebhookStore"/>, and hands them to the delivery service.</summary>
/// <remarks>
/// With a durable store (SQLite, and any store implementing <see cref="IWebhookStore"/>) registrations and their
/// delivery progress survive a restart; with none they live in memory. The hand-over channel is bounded; a burst
/// of registrations waits rather than grows.
/// </remarks>
internal sealed class WebhookRegistry(IEnumerable<IWebhookStore> stores)
{
    private readonly IWebhookStore? _store = stores.LastOrDefault();
    private readonly ConcurrentDictionary<string, WebhookRegistration> _registrations = new(StringComparer.Ordinal);
    private readonly Channel<WebhookRegistration> _pending = Channel.CreateBounded<WebhookRegistration>(
        new BoundedChannelOptions(1_024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<WebhookRegistration> Pending => _pending.Reader;

    public bool IsDurable => _store is not null;

    public async ValueTask AddAsync(WebhookRegistration registration, CancellationToken cancellationToken)
    {
        if (_store is not null)
        {
            await _store.SaveAsync(registration.ToSubscription(), cancellationToken).ConfigureAwait(false);
        }

        _registrations[registration.Id] = registration;
        await _pending.Writer.WriteAsync(registration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues the stored registrations that a previous run of the host had not finished delivering.</summary>
    public async ValueTask ResumeStoredAsync(CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return;
        }

        foreach (var subscription in await _store.ListUnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            var registration = WebhookRegistration.From(subscription);
            if (_registrations.TryAdd(registration.Id, registration))
            {
                await _pending.Writer.WriteAsync(registration, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Records how far a registration got; <paramref name="finished"/> stops it from being resumed.</summary>
    public async ValueTask MarkDeliveredAsync(WebhookRegistration registration, long sequence, bool finished, CancellationToken cancellationToken)
    {
        if (_store is not null)
        {
            await _store.MarkDeliveredAsync(registration.Id, sequence, finished, cancellationToken).ConfigureAwait(false);
        }

        if (finished)
        {
            // A finished registration is never resumed: keeping it would grow the map with every job ever watched.
            _registrations.TryRemove(registration.Id, out _);
        }
    }

    /// <summary>Finds a registration that is still being delivered.</summary>
    public WebhookRegistration? Find(string id) => _registrations.GetValueOrDefault(id);

    /// <summary>Gets how many registrations are being delivered.</summary>
    public int Count => _registrations.Count;
}
