namespace TransactionPipeline;

/// <summary>A host-supplied stage that sees every batch of transactions after parsing and before storage and aggregation.</summary>
/// <remarks>
/// Each registered stage runs on its own task between two bounded channels, in registration order.
/// A stage may drop transactions with <see cref="TransactionBatch.RemoveAll"/>; what it drops is neither
/// stored nor aggregated. An exception fails the job. Registered as a singleton: implementations must be thread-safe.
/// </remarks>
public interface ITransactionStage
{
    /// <summary>Processes one batch.</summary>
    /// <param name="context">The job and the batch.</param>
    /// <param name="cancellationToken">Cancels the job.</param>
    /// <returns>A task that completes when the batch may move on.</returns>
    ValueTask ProcessAsync(TransactionStageContext context, CancellationToken cancellationToken);
}

/// <summary>The input of <see cref="ITransactionStage.ProcessAsync"/>.</summary>
public sealed class TransactionStageContext
{
    internal TransactionStageContext(string jobId, TransactionBatch batch)
    {
        JobId = jobId;
        Batch = batch;
    }

    /// <summary>Gets the job the batch belongs to.</summary>
    public string JobId { get; }

    /// <summary>Gets the batch; valid only until <see cref="ITransactionStage.ProcessAsync"/> completes.</summary>
    public TransactionBatch Batch { get; }
}
