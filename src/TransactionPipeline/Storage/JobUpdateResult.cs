namespace TransactionPipeline;

/// <summary>The answer of <see cref="IJobStore.UpdateAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Event">The appended event, when the update carried one and <paramref name="Outcome"/> is <see cref="JobUpdateOutcome.Updated"/>.</param>
public readonly record struct JobUpdateResult(JobUpdateOutcome Outcome, JobEvent? Event = null)
{
    /// <summary>Gets the answer to an update that found no job.</summary>
    public static JobUpdateResult NotFound => new(JobUpdateOutcome.NotFound);

    /// <summary>Gets the answer to an update of a job that had already ended.</summary>
    public static JobUpdateResult Terminal => new(JobUpdateOutcome.Terminal);

    /// <summary>Gets the answer to an update from an instance that no longer owns the job.</summary>
    public static JobUpdateResult LeaseLost => new(JobUpdateOutcome.LeaseLost);

    /// <summary>Returns the answer to an update that was written.</summary>
    /// <param name="appended">The event appended with it, if any.</param>
    /// <returns>An <see cref="JobUpdateOutcome.Updated"/> answer.</returns>
    public static JobUpdateResult Updated(JobEvent? appended) => new(JobUpdateOutcome.Updated, appended);
}
