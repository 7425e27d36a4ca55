namespace TransactionPipeline;

/// <summary>Configures the SQLite store registered by <see cref="SqliteTransactionPipelineBuilderExtensions.UseSqlite(ITransactionPipelineBuilder, Action{SqliteStoreOptions})"/>.</summary>
/// <remarks>
/// The store opens one pooled connection per operation, so the database must be a file (or a URI that several
/// connections share): a plain <c>:memory:</c> database would be a new, empty database for every operation.
/// </remarks>
public sealed class SqliteStoreOptions
{
    /// <summary>Gets or sets the connection string of the database file, for example <c>Data Source=jobs.db</c>.</summary>
    /// <value>The default value is <see cref="string.Empty"/>; a value is required.</value>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Gets or sets how long an operation waits for another writer to release the database.</summary>
    /// <value>The default value is 30 seconds.</value>
    /// <remarks>Applied as SQLite's <c>busy_timeout</c>; must be between zero and one hour.</remarks>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most writers one import may use.</summary>
    public const int MaxImportWriters = 8;

    /// <summary>Gets or sets how many files, each written by a writer of its own, one job's rows are spread over.</summary>
    /// <value>The default value is 2. At most <see cref="MaxImportWriters"/>.</value>
    /// <remarks>
    /// SQLite writes one file on one thread; its inserts bound an import that stores rows. Whole batches go to the files
    /// in turn and are read back merged in import order. More writers than cores, counting the one that parses the
    /// input, only take turns.
    /// </remarks>
    public int ImportWriters { get; set; } = 2;
}
