using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TransactionPipeline.PostgreSql;

namespace TransactionPipeline;

/// <summary>Registers the PostgreSQL store on <see cref="ITransactionPipelineBuilder"/>.</summary>
public static class PostgreSqlTransactionPipelineBuilderExtensions
{
    /// <summary>Keeps jobs, events, transactions, results and webhook subscriptions in a PostgreSQL database that several hosts may share.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="connectionString">The Npgsql connection string, for example <c>Host=db;Database=pipeline;Username=app;Password=…</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="connectionString"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or white space.</exception>
    /// <remarks>The tables live in the schema <c>transaction_pipeline</c>, created on first use.</remarks>
    public static ITransactionPipelineBuilder UsePostgreSql(this ITransactionPipelineBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgreSql(options => options.ConnectionString = connectionString);
    }

    /// <summary>Keeps jobs, events, transactions, results and webhook subscriptions in the PostgreSQL database of the <see cref="NpgsqlDataSource"/> registered in the container.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// For a data source registered by <c>AddNpgsqlDataSource</c> (Npgsql.DependencyInjection) or by .NET Aspire's
    /// <c>AddNpgsqlDataSource</c>: the store shares its pool, logging and telemetry, and does not dispose it. Its tables
    /// live in the schema <c>transaction_pipeline</c>; each connection's <c>search_path</c> is set to it when opened.
    /// The host fails to start when no data source is registered.
    /// </remarks>
    public static ITransactionPipelineBuilder UsePostgreSql(this ITransactionPipelineBuilder builder) =>
        builder.UsePostgreSql(static _ => { });

    /// <summary>Keeps jobs, events, transactions, results and webhook subscriptions in a PostgreSQL database that several hosts may share.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">
    /// Configures the store; the options are validated when the host starts. With <see cref="PostgreSqlStoreOptions.ConnectionString"/>
    /// left empty, the store uses the <see cref="NpgsqlDataSource"/> registered in the container.
    /// </param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Calling it again replaces the store registration; the configure actions of both calls run in order. The store
    /// logs through Npgsql to the container's <see cref="ILoggerFactory"/> when there is one.
    /// </remarks>
    public static ITransactionPipelineBuilder UsePostgreSql(this ITransactionPipelineBuilder builder, Action<PostgreSqlStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddOptions<PostgreSqlStoreOptions>()
            .Configure(configure)
            .Validate<IEnumerable<NpgsqlDataSource>>(
                (options, dataSources) => !string.IsNullOrWhiteSpace(options.ConnectionString) || dataSources.Any(),
                "PostgreSqlStoreOptions.ConnectionString is required when no NpgsqlDataSource is registered, for example \"Host=localhost;Database=pipeline;Username=app;Password=secret\".")
            .Validate(
                options => string.IsNullOrWhiteSpace(options.ConnectionString) || PostgreSqlStore.IsValidConnectionString(options.ConnectionString),
                "PostgreSqlStoreOptions.ConnectionString is not a valid Npgsql connection string.")
            .Validate(
                options => string.IsNullOrWhiteSpace(options.ConnectionString) || !PostgreSqlStore.UsesMultiplexing(options.ConnectionString),
                "PostgreSqlStoreOptions.ConnectionString turns on Multiplexing, under which Npgsql has no COPY; the store appends rows with COPY.")
            .Validate(
                options => PostgreSqlStore.IsValidSchemaName(options.Schema),
                "PostgreSqlStoreOptions.Schema must be a lower-case identifier of at most 63 characters: a-z, 0-9 and _, not starting with a digit.")
            .Validate(
                options => options.CopyStreams is >= 1 and <= PostgreSqlStoreOptions.MaxCopyStreams,
                $"PostgreSqlStoreOptions.CopyStreams must be between 1 and {PostgreSqlStoreOptions.MaxCopyStreams}.")
            .ValidateOnStart();
        builder.Services.RemoveAll<PostgreSqlStore>();
        builder.Services.AddSingleton(sp => new PostgreSqlStore(
            sp.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<NpgsqlDataSource>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreErrorClassifier, PostgreSqlErrorClassifier>());
        return builder.UseStorage<PostgreSqlStore>();
    }
}
