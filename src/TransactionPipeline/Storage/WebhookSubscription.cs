namespace TransactionPipeline;

/// <summary>A webhook subscription: which events of which job go to which URL, signed with which secret.</summary>
/// <param name="Id">The subscription id.</param>
/// <param name="JobId">The job whose events are delivered.</param>
/// <param name="Url">The receiver.</param>
/// <param name="Events">The event types delivered.</param>
/// <param name="Secret">The signing secret (<c>whsec_…</c>).</param>
/// <param name="CreatedAt">When the subscription was made.</param>
/// <param name="DeliveredThrough">The last event sequence already handled; 0 for none.</param>
public sealed record WebhookSubscription(
    string Id,
    string JobId,
    Uri Url,
    IReadOnlyList<string> Events,
    string Secret,
    DateTimeOffset CreatedAt,
    long DeliveredThrough = 0);
