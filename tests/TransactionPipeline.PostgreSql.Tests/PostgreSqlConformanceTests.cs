namespace TransactionPipeline.PostgreSql.Tests;

[RequiresPostgreSql]
public class PostgreSqlJobStoreTests : JobStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database;

    public PostgreSqlJobStoreTests()
        : this(onCitus: false)
    {
    }

    /// <summary>Runs the same tests on the Citus cluster when <paramref name="onCitus"/> is set.</summary>
    protected PostgreSqlJobStoreTests(bool onCitus) => _database = new PostgreSqlTestDatabase(onCitus);

    protected override Task<IJobStore> CreateStoreAsync() => Task.FromResult<IJobStore>(_database.CreateStore());

    protected override Task<IJobStore> ReopenStoreAsync() => Task.FromResult<IJobStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}

[RequiresPostgreSql]
public class PostgreSqlTransactionStoreTests : TransactionStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database;

    public PostgreSqlTransactionStoreTests()
        : this(onCitus: false)
    {
    }

    /// <summary>Runs the same tests on the Citus cluster when <paramref name="onCitus"/> is set.</summary>
    protected PostgreSqlTransactionStoreTests(bool onCitus) => _database = new PostgreSqlTestDatabase(onCitus);

    protected override Task<ITransactionStore> CreateStoreAsync() => Task.FromResult<ITransactionStore>(_database.CreateStore());

    protected override Task<ITransactionStore> ReopenStoreAsync() => Task.FromResult<ITransactionStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}

[RequiresPostgreSql]
public class PostgreSqlResultStoreTests : ResultStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database;

    public PostgreSqlResultStoreTests()
        : this(onCitus: false)
    {
    }

    /// <summary>Runs the same tests on the Citus cluster when <paramref name="onCitus"/> is set.</summary>
    protected PostgreSqlResultStoreTests(bool onCitus) => _database = new PostgreSqlTestDatabase(onCitus);

    protected override Task<IResultStore> CreateStoreAsync() => Task.FromResult<IResultStore>(_database.CreateStore());

    protected override Task<IResultStore> ReopenStoreAsync() => Task.FromResult<IResultStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}

[RequiresPostgreSql]
public class PostgreSqlWebhookStoreTests : WebhookStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database;

    public PostgreSqlWebhookStoreTests()
        : this(onCitus: false)
    {
    }

    /// <summary>Runs the same tests on the Citus cluster when <paramref name="onCitus"/> is set.</summary>
    protected PostgreSqlWebhookStoreTests(bool onCitus) => _database = new PostgreSqlTestDatabase(onCitus);

    protected override Task<IWebhookStore> CreateStoreAsync() => Task.FromResult<IWebhookStore>(_database.CreateStore());

    protected override Task<IWebhookStore> ReopenStoreAsync() => Task.FromResult<IWebhookStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}

[RequiresPostgreSql]
public class PostgreSqlIdempotencyStoreTests : IdempotencyStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database;

    public PostgreSqlIdempotencyStoreTests()
        : this(onCitus: false)
    {
    }

    /// <summary>Runs the same tests on the Citus cluster when <paramref name="onCitus"/> is set.</summary>
    protected PostgreSqlIdempotencyStoreTests(bool onCitus) => _database = new PostgreSqlTestDatabase(onCitus);

    protected override Task<IIdempotencyStore> CreateStoreAsync() => Task.FromResult<IIdempotencyStore>(_database.CreateStore());

    protected override Task<IIdempotencyStore> ReopenStoreAsync() => Task.FromResult<IIdempotencyStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}
