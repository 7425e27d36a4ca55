namespace TransactionPipeline;

/// <summary>What <see cref="IPipeline.DeleteAsync"/> did.</summary>
public enum JobDeletion
{
    /// <summary>The job was complete or failed, and it is gone with its rows, results, events and webhook subscriptions.</summary>
    Deleted,

    /// <summary>There is no such job (or it was deleted already).</summary>
    NotFound,

    /// <summary>The job is still running: nothing was deleted. Cancel it first (<see cref="IPipeline.CancelAsync"/>).</summary>
    NotFinished,
}
