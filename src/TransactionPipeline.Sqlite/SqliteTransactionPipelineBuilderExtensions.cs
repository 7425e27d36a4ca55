using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TransactionPipeline.Sqlite;

namespace TransactionPipeline;

/// <summary>Registers the embedded SQLite store on <see cref="ITransactionPipelineBuilder"/>.</summary>
public static class SqliteTransactionPipelineBuilderExtensions
{
    /// <summary>Keeps jobs, events, transactions and results in a SQLite database file.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="connectionString">The connection string, for example <c>Data Source=jobs.db</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="connectionString"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or white space.</exception>
    /// <remarks>The schema is created on first use; the database survives process restarts.</remarks>
    public static ITransactionPipelineBuilder UseSqlite(this ITransactionPipelineBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseSqlite(options => options.ConnectionString = connectionString);
    }

    /// <summary>Keeps jobs, events, transactions and results in a SQLite database file.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Configures the store; the options are validated when the host starts.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    /// <remarks>Calling it again replaces the store registration; the configure actions of both calls run in order.</remarks>
    public static ITransactionPipelineBuilder UseSqlite(this ITransactionPipelineBuilder builder, Action<SqliteStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddOptions<SqliteStoreOptions>()
            .Configure(configure)
            .Validate(
                options => !string.IsNullOrWhiteSpace(options.ConnectionString),
                "SqliteStoreOptions.ConnectionString is required, for example \"Data Source=jobs.db\".")
            .Validate(
                options => options.BusyTimeout >= TimeSpan.Zero && options.BusyTimeout <= TimeSpan.FromHours(1),
                "SqliteStoreOptions.BusyTimeout must be between 00:00:00 and 01:00:00.")
            .Validate(
                options => options.ImportWriters is >= 1 and <= SqliteStoreOptions.MaxImportWriters,
                $"SqliteStoreOptions.ImportWriters must be between 1 and {SqliteStoreOptions.MaxImportWriters}.")
            .ValidateOnStart();
        builder.Services.RemoveAll<SqliteStore>();
        builder.Services.AddSingleton(sp => new SqliteStore(sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreErrorClassifier, SqliteErrorClassifier>());
        return builder.UseStorage<SqliteStore>();
    }
}
