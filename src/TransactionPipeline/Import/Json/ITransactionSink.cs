using System.Threading.Channels;

namespace TransactionPipeline.Import.Json;

/// <summary>Where <see cref="TransactionJsonReader"/> puts what it reads: batches for the stage chain, or daily totals.</summary>
internal interface ITransactionSink
{
    /// <summary>Takes a full batch.</summary>
    /// <param name="batch">The batch the reader filled.</param>
    /// <param name="nextItemIndex">The index of the item the next batch starts with.</param>
    /// <param name="cancellationToken">Stops the wait for room downstream.</param>
    /// <returns>The empty batch for the reader to fill next.</returns>
    ValueTask<TransactionBatch> TakeAsync(TransactionBatch batch, long nextItemIndex, CancellationToken cancellationToken);

    /// <summary>Called after each read from the input, between buffers.</summary>
    ValueTask AfterReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sums the run of common-shaped items at the start of <paramref name="data"/> straight from the buffer, for a sink
    /// that needs totals only; a sink that needs the items themselves takes none.
    /// </summary>
    /// <param name="data">The unparsed bytes, starting where an item (with its leading comma) starts.</param>
    /// <param name="offset">The input offset of the reader's buffer.</param>
    /// <param name="items">How many items were summed.</param>
    /// <returns>The bytes consumed: whole items only.</returns>
    int SumRun(ReadOnlyMemory<byte> data, long offset, out long items);
}

/// <summary>Hands every full batch to the first channel of the stage chain, to be stored (or dropped) downstream.</summary>
/// <param name="output">The channel the batches go to.</param>
/// <param name="batchSize">The size of the batches the reader fills.</param>
internal sealed class BatchChannelSink(ChannelWriter<TransactionBatch> output, int batchSize) : ITransactionSink
{
    public async ValueTask<TransactionBatch> TakeAsync(TransactionBatch batch, long nextItemIndex, CancellationToken cancellationToken)
    {
        await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        var next = new TransactionBatch(batchSize);
        next.Reset(nextItemIndex);
        return next;
    }

    public ValueTask AfterReadAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public int SumRun(ReadOnlyMemory<byte> data, long offset, out long items)
    {
        items = 0;
        return 0;
    }
}

/// <summary>
/// The aggregate-only import: every transaction is added to the job's totals and its batch reused, and runs of
/// common-shaped items are summed on all cores (see <see cref="ParallelAggregator"/>) with the same result as one by one.
/// </summary>
/// <param name="totals">The job's totals.</param>
/// <param name="parallel">The aggregator that shares runs of items among the cores.</param>
/// <param name="onProgress">Reports progress, between buffers, on the reading thread.</param>
internal sealed class DailyTotalsSink(DailyTotals totals, ParallelAggregator parallel, Func<CancellationToken, ValueTask> onProgress) : ITransactionSink
{
    public async ValueTask<TransactionBatch> TakeAsync(TransactionBatch batch, long nextItemIndex, CancellationToken cancellationToken)
    {
        totals.Add(batch.Items.Span);
        batch.Reset(nextItemIndex);
        await onProgress(cancellationToken).ConfigureAwait(false);
        return batch;
    }

    public ValueTask AfterReadAsync(CancellationToken cancellationToken) => onProgress(cancellationToken);

    public int SumRun(ReadOnlyMemory<byte> data, long offset, out long items) => parallel.Aggregate(data, offset, totals, out items);
}
