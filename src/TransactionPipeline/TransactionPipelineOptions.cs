using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TransactionPipeline;

/// <summary>Tunes how the pipeline reads, batches and tracks jobs.</summary>
/// <remarks>Validated when the host starts; a bad value stops the host with a message that names it.</remarks>
public sealed class TransactionPipelineOptions
{
    /// <summary>Gets or sets how many transactions are written to the store per batch.</summary>
    /// <value>The default value is 5,000.</value>
    [Range(1, 100_000)]
    public int ImportBatchSize { get; set; } = 5_000;

    /// <summary>Gets or sets how many batches may wait between two stages before the earlier one waits.</summary>
    /// <value>The default value is 8.</value>
    [Range(1, 1_024)]
    public int StageCapacity { get; set; } = 8;

    /// <summary>Gets or sets the size in bytes of the buffer the input is read through.</summary>
    /// <value>The default value is 256 KiB.</value>
    /// <remarks>Larger reads mean fewer calls into the stream; 256 KiB read a 1 GB file ~10% faster than 64 KiB.</remarks>
    [Range(4_096, 16 * 1024 * 1024)]
    public int InputBufferSize { get; set; } = 256 * 1024;

    /// <summary>Gets or sets the largest single value (one transaction or one config) the reader accepts, in bytes.</summary>
    /// <value>The default value is 1 MiB.</value>
    [Range(4_096, 64 * 1024 * 1024)]
    public int MaxValueSize { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets whether each job's raw transactions are written to the store.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>
    /// <para>
    /// <see langword="false"/> is the aggregate-only mode: transactions are parsed, validated, passed through the
    /// transaction stages and summed per date while the body is read, but no raw row is stored, so the import runs at
    /// parsing speed instead of the store's bulk-insert speed. Aggregates, scores and offers are the same.
    /// </para>
    /// <para>
    /// A job in this mode cannot be resumed: if the process stops after its import but before it completes, the
    /// instance that recovers it finds no stored rows to aggregate and ends it <see cref="JobState.Failed"/> with
    /// an <see cref="JobErrorKind.Interrupted"/> error that says so. The body must then be submitted again.
    /// </para>
    /// </remarks>
    public bool StoreTransactions { get; set; } = true;

    /// <summary>Gets or sets how often import progress is written to the job store and emitted as an event.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a job's owner may stay silent before another instance may take the job over.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan JobLeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how often the background worker looks for interrupted jobs and refreshes its leases.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how often an event subscriber checks the store for events written by other instances.</summary>
    /// <value>The default value is 500 milliseconds.</value>
    public TimeSpan EventPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets how many jobs the background worker runs at once after their import.</summary>
    /// <value>The default value is 2.</value>
    [Range(1, 64)]
    public int MaxConcurrentJobs { get; set; } = 2;

    /// <summary>Gets how long finished jobs, their raw rows and idempotency keys are kept.</summary>
    public RetentionOptions Retention { get; } = new();
}

/// <summary>Checks each option's range.</summary>
[OptionsValidator]
internal sealed partial class TransactionPipelineOptionsValidator : IValidateOptions<TransactionPipelineOptions>
{
}

/// <summary>Checks the time spans (whose [Range] is not trim-safe) and the rules that tie two options together.</summary>
internal sealed class TransactionPipelineOptionsCustomValidator : IValidateOptions<TransactionPipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, TransactionPipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckRange(failures, nameof(options.ProgressInterval), options.ProgressInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        CheckRange(failures, nameof(options.JobLeaseTimeout), options.JobLeaseTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        CheckRange(failures, nameof(options.RecoveryInterval), options.RecoveryInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        CheckRange(failures, nameof(options.EventPollInterval), options.EventPollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        var retention = options.Retention;
        CheckRange(failures, "Retention.SweepInterval", retention.SweepInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
        CheckRange(failures, "Retention.IdempotencyKeys", retention.IdempotencyKeys, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        foreach (var (kept, value) in (ReadOnlySpan<(string, TimeSpan?)>)[
            ("Retention.CompletedJobRows", retention.CompletedJobRows), ("Retention.CompletedJobs", retention.CompletedJobs), ("Retention.FailedJobs", retention.FailedJobs)])
        {
            if (value is { } time)
            {
                CheckRange(failures, kept, time, TimeSpan.Zero, TimeSpan.FromDays(36_500));
            }
        }

        if (retention.CompletedJobs < retention.CompletedJobRows)
        {
            failures.Add($"Retention.CompletedJobs ({retention.CompletedJobs}) must not be shorter than Retention.CompletedJobRows ({retention.CompletedJobRows}).");
        }

        if (options.RecoveryInterval * 2 > options.JobLeaseTimeout)
        {
            failures.Add(
                $"RecoveryInterval ({options.RecoveryInterval}) must be at most half of JobLeaseTimeout ({options.JobLeaseTimeout}), "
                + "or running jobs would look abandoned between two lease refreshes.");
        }

        if (options.MaxValueSize < options.InputBufferSize)
        {
            failures.Add($"MaxValueSize ({options.MaxValueSize}) must be at least InputBufferSize ({options.InputBufferSize}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRange(List<string> failures, string name, TimeSpan value, TimeSpan minimum, TimeSpan maximum)
    {
        if (value < minimum || value > maximum)
        {
            failures.Add($"{name} ({value}) must be between {minimum} and {maximum}.");
        }
    }
}
