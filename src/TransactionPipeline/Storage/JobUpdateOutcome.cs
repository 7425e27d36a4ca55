namespace TransactionPipeline;

/// <summary>What <see cref="IJobStore.UpdateAsync"/> did.</summary>
public enum JobUpdateOutcome
{
    /// <summary>The snapshot was replaced, and the event appended when one was given.</summary>
    Updated,

    /// <summary>No job has that id: nothing was written.</summary>
    NotFound,

    /// <summary>The job is already complete or failed: nothing was written, and it keeps its state.</summary>
    Terminal,

    /// <summary>Another instance owns the job now (it took it over after the writer's lease lapsed): nothing was written.</summary>
    LeaseLost,
}
