using System.Collections.Concurrent;
using System.Threading.Channels;

namespace TransactionPipeline.AspNetCore.Webhooks;

/// <summary>One registration: which of a job's events go to which URL, signed with which secret.</summary>
internal sealed record WebhookRegistration(
    string Id, string JobId, Uri Url, IReadOnlySet<string> Events, string Secret, DateTimeOffset CreatedAt);

/// <summary>Holds registrations and hands new ones to the delivery service.</summary>
/// <remarks>
/// In memory: the core's store interfaces have no place for registrations, so they do not survive a restart
/// (see docs/http-api.md). The hand-over channel is bounded; a burst of registrations waits rather than grows.
/// </remarks>
internal sealed class WebhookRegistry
{
    private readonly ConcurrentDictionary<string, WebhookRegistration> _registrations = new(StringComparer.Ordinal);
    private readonly Channel<WebhookRegistration> _pending = Channel.CreateBounded<WebhookRegistration>(
        new BoundedChannelOptions(1_024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<WebhookRegistration> Pending => _pending.Reader;

    public async ValueTask AddAsync(WebhookRegistration registration, CancellationToken cancellationToken)
    {
        _registrations[registration.Id] = registration;
        await _pending.Writer.WriteAsync(registration, cancellationToken).ConfigureAwait(false);
    }

    public WebhookRegistration? Find(string id) => _registrations.GetValueOrDefault(id);
}
