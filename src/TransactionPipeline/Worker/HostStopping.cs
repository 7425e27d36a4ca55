namespace TransactionPipeline.Worker;

/// <summary>Tells the units whether the host is stopping: set from the worker's stopping token, so an import cut off by a shutdown says so.</summary>
internal sealed class HostStopping
{
    private CancellationToken _token;

    /// <summary>Gets the token that fires when the host stops; never fires in a host that runs no worker.</summary>
    public CancellationToken Token => _token;

    public bool IsStopping => _token.IsCancellationRequested;

    /// <summary>Takes the stopping token of the worker that started.</summary>
    public void Attach(CancellationToken stoppingToken) => _token = stoppingToken;
}
