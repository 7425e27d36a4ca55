namespace TransactionPipeline;

/// <summary>The life-cycle state of a pipeline job.</summary>
public enum JobState
{
    /// <summary>The job was created and has not started importing (<c>OPEN</c>).</summary>
    Open,

    /// <summary>The job is importing, aggregating, scoring or generating offers (<c>IN_PROGRESS</c>).</summary>
    InProgress,

    /// <summary>The job finished and its offers are ready (<c>JOB_COMPLETE</c>).</summary>
    JobComplete,

    /// <summary>The job stopped with an error; nothing it produced is visible (<c>FAILED</c>).</summary>
    Failed,
}

/// <summary>The stage a job is in, or last ran.</summary>
public enum PipelineStage
{
    /// <summary>The job exists but no stage has started.</summary>
    Created,

    /// <summary>Transactions are read from the input and written to the store.</summary>
    Import,

    /// <summary>Daily aggregates are computed over the complete, validated data set.</summary>
    Aggregate,

    /// <summary>The credit model scores each aggregated date.</summary>
    CreditModel,

    /// <summary>The offer strategy turns assessments into offers, then result stages run.</summary>
    Offers,

    /// <summary>Every stage finished; the results are stored.</summary>
    Completed,
}
