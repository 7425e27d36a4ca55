using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary><c>UsePostgreSql()</c> on the application's own <see cref="NpgsqlDataSource"/>, as Npgsql.DependencyInjection registers it.</summary>
[RequiresPostgreSql]
public sealed class PostgreSqlDataSourceTests : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    [StoreFact]
    public async Task UsePostgreSql_DataSourceFromTheContainer_RunsTheJobInTheConfiguredSchemaAndLeavesTheDataSourceOpen()
    {
        var services = new ServiceCollection();
        services.AddNpgsqlDataSource(PostgreSqlTestDatabase.ConnectionString!);
        services.AddTransactionPipeline().UsePostgreSql(o => o.Schema = _database.Schema);
        var provider = services.BuildServiceProvider();
        var rows = TestBodies.Rows(3_000, days: 5);

        var status = await provider.GetRequiredService<IPipeline>().RunAsync(TestBodies.Input(rows));
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        await ((IAsyncDisposable)provider.GetRequiredService<IJobStore>()).DisposeAsync();
        await using var stillOpen = await dataSource.OpenConnectionAsync();

        status.State.Should().Be(JobState.JobComplete, status.Error?.Message);
        (await _database.CountAsync($"{_database.Schema}.jobs")).Should().Be(1, "the tables are in the configured schema, not the data source's default");
        (await _database.CountRowsAsync()).Should().Be(3_000);
        (await _database.CountAsync($"{_database.Schema}.offers")).Should().BeGreaterThan(0);
        stillOpen.State.Should().Be(System.Data.ConnectionState.Open, "the store does not dispose a data source it was given");
        await provider.DisposeAsync();
    }

    [Fact]
    public void UsePostgreSql_NoConnectionStringAndNoDataSource_FailsValidationSayingSo()
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline().UsePostgreSql();
        using var provider = services.BuildServiceProvider();

        var options = () => provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value;

        options.Should().Throw<OptionsValidationException>().WithMessage("*ConnectionString is required when no NpgsqlDataSource is registered*");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}
