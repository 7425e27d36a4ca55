namespace TransactionPipeline;

/// <summary>A host-supplied stage that runs after offers are generated and before the job completes.</summary>
/// <remarks>
/// Use it for an action on the finished results: publish them, copy them elsewhere, audit them.
/// An exception fails the job, so nothing is published as complete that a later stage rejected.
/// Registered as a singleton: implementations must be thread-safe.
/// </remarks>
public interface IResultStage
{
    /// <summary>Acts on a job's results.</summary>
    /// <param name="context">The job's results.</param>
    /// <param name="cancellationToken">Cancels the job.</param>
    /// <returns>A task that completes when the stage is done.</returns>
    ValueTask ProcessAsync(ResultStageContext context, CancellationToken cancellationToken);
}

/// <summary>The input of <see cref="IResultStage.ProcessAsync"/>.</summary>
public sealed class ResultStageContext
{
    internal ResultStageContext(JobResult result) => Result = result;

    /// <summary>Gets the job id.</summary>
    public string JobId => Result.JobId;

    /// <summary>Gets the results about to be stored.</summary>
    public JobResult Result { get; }
}
