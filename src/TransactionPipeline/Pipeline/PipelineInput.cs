namespace TransactionPipeline;

/// <summary>What a job reads: a JSON body in the seed's shape, or transactions with their configuration.</summary>
public sealed class PipelineInput
{
    private PipelineInput(Stream? json, IAsyncEnumerable<TransactionRecord>? transactions, PipelineConfiguration? configuration, long? length)
    {
        Json = json;
        Transactions = transactions;
        Configuration = configuration;
        Length = length;
    }

    /// <summary>Gets or sets a receiver of the job's status as it is created and as the import progresses.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IProgress<JobStatus>? Progress { get; set; }

    /// <summary>Gets or sets the owner key of the tenant the job belongs to; lists and lookups filtered by it see only its jobs.</summary>
    /// <value>The default value is <see langword="null"/>: no tenant.</value>
    public string? Tenant { get; set; }

    /// <summary>
    /// Gets or sets the configuration of a JSON body that leaves a config out: each of <c>credit_model_config</c> and
    /// <c>aggregate_config</c> that the body carries wins over the one here.
    /// </summary>
    /// <remarks>For hosts that receive the configs apart from the body, for example in an upload's metadata. Ignored by <see cref="FromTransactions"/>.</remarks>
    /// <value>The default value is <see langword="null"/>: <see cref="PipelineConfiguration.Default"/>'s configs.</value>
    public PipelineConfiguration? ConfigurationDefaults { get; set; }

    internal Stream? Json { get; }

    internal IAsyncEnumerable<TransactionRecord>? Transactions { get; }

    internal PipelineConfiguration? Configuration { get; }

    internal long? Length { get; }

    /// <summary>Creates an input that streams a JSON body: <c>{"data": [...], "credit_model_config": {...}, "aggregate_config": {...}}</c>.</summary>
    /// <param name="json">The body; read once, to its end, never buffered whole. The caller disposes it.</param>
    /// <param name="length">The body's length in bytes when known, for progress.</param>
    /// <returns>The input.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    public static PipelineInput FromJson(Stream json, long? length = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new PipelineInput(json, null, null, length ?? (json.CanSeek ? json.Length - json.Position : null));
    }

    /// <summary>Creates an input from transactions already in memory or produced on the fly.</summary>
    /// <param name="transactions">The transactions; each is validated as the JSON reader would.</param>
    /// <param name="configuration">The configuration; <see cref="PipelineConfiguration.Default"/> when <see langword="null"/>.</param>
    /// <returns>The input.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transactions"/> is <see langword="null"/>.</exception>
    public static PipelineInput FromTransactions(IAsyncEnumerable<TransactionRecord> transactions, PipelineConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        return new PipelineInput(null, transactions, configuration ?? PipelineConfiguration.Default, null);
    }
}
