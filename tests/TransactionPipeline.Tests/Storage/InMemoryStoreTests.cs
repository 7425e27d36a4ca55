using TransactionPipeline.Testing;
using TransactionPipeline.Testing.Conformance;

namespace TransactionPipeline.Tests.Storage;

// The in-memory store lives as long as its instance, so "reopening" returns the same instance.
public sealed class InMemoryJobStoreTests : JobStoreConformanceTests
{
    private readonly InMemoryStore _store = new();

    protected override Task<IJobStore> CreateStoreAsync() => Task.FromResult<IJobStore>(_store);

    protected override Task<IJobStore> ReopenStoreAsync() => Task.FromResult<IJobStore>(_store);
}

public sealed class InMemoryTransactionStoreTests : TransactionStoreConformanceTests
{
    private readonly InMemoryStore _store = new();

    protected override Task<ITransactionStore> CreateStoreAsync() => Task.FromResult<ITransactionStore>(_store);

    protected override Task<ITransactionStore> ReopenStoreAsync() => Task.FromResult<ITransactionStore>(_store);
}

public sealed class InMemoryResultStoreTests : ResultStoreConformanceTests
{
    private readonly InMemoryStore _store = new();

    protected override Task<IResultStore> CreateStoreAsync() => Task.FromResult<IResultStore>(_store);

    protected override Task<IResultStore> ReopenStoreAsync() => Task.FromResult<IResultStore>(_store);
}

public sealed class InMemoryWebhookStoreTests : WebhookStoreConformanceTests
{
    private readonly InMemoryStore _store = new();

    protected override Task<IWebhookStore> CreateStoreAsync() => Task.FromResult<IWebhookStore>(_store);

    protected override Task<IWebhookStore> ReopenStoreAsync() => Task.FromResult<IWebhookStore>(_store);
}

public sealed class InMemoryIdempotencyStoreTests : IdempotencyStoreConformanceTests
{
    private readonly InMemoryStore _store = new();

    protected override Task<IIdempotencyStore> CreateStoreAsync() => Task.FromResult<IIdempotencyStore>(_store);

    protected override Task<IIdempotencyStore> ReopenStoreAsync() => Task.FromResult<IIdempotencyStore>(_store);
}
