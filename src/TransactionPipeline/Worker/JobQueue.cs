using System.Threading.Channels;

namespace TransactionPipeline.Worker;

/// <summary>The jobs waiting for their stages after import, read by the worker's runners.</summary>
internal sealed class JobQueue
{
    private readonly Channel<QueuedJob> _channel =
        Channel.CreateBounded<QueuedJob>(new BoundedChannelOptions(1_024) { FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<QueuedJob> Reader => _channel.Reader;

    public ValueTask EnqueueAsync(QueuedJob job, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(job, cancellationToken);
}
