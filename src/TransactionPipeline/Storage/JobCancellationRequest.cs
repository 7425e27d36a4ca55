namespace TransactionPipeline;

/// <summary>A request, kept in the store, to cancel an unfinished job; its owner acts on it.</summary>
/// <param name="JobId">The job.</param>
/// <param name="RequestedBy">Who asked, said in the job's error (for example the HTTP route and the caller's address).</param>
public sealed record JobCancellationRequest(string JobId, string RequestedBy);
