namespace TransactionPipeline;

/// <summary>What <see cref="IPipeline.FindResultAsync"/> found for a job id.</summary>
public enum JobResultState
{
    /// <summary>No job has that id.</summary>
    UnknownJob,

    /// <summary>The job exists and has not finished: its results come with <see cref="JobState.JobComplete"/>.</summary>
    NotComplete,

    /// <summary>The job failed; <see cref="JobResultLookup.Status"/> carries its error, and it has no results.</summary>
    Failed,

    /// <summary>The job completed; <see cref="JobResultLookup.Result"/> holds its results.</summary>
    Complete,
}

/// <summary>A job's results, or why there are none, in a form a caller can switch on.</summary>
/// <param name="State">What was found.</param>
/// <param name="Status">The job's status, unless the job is unknown.</param>
/// <param name="Result">The results of a complete job.</param>
/// <remarks>A new field arrives as an init property in the body, never as a positional parameter, so no caller breaks.</remarks>
public sealed record JobResultLookup(JobResultState State, JobStatus? Status, JobResult? Result);
