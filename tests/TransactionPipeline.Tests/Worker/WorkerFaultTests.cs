using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.Jobs;
using TransactionPipeline.Testing;
using TransactionPipeline.Tests.Shared;
using TransactionPipeline.Worker;

namespace TransactionPipeline.Tests.Worker;

/// <summary>The worker against a store that fails: no loop dies, no job stays unfinished, later jobs complete.</summary>
public sealed class WorkerFaultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ProcessJobsAsync_StoreFailsTheFirstCallsOfEveryMethod_NoLoopDiesAndEveryJobEnds()
    {
        var store = new FlakyStore(new InMemoryStore(), failures: 3);
        await using var services = CreateHost(store);
        var pipeline = services.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var worker = services.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);

        // Jobs submitted during the outage: a submit may throw (the store refused even the job's creation), but a job
        // that was created must end, FAILED or complete, through the worker's own retries.
        for (var i = 0; i < 8; i++)
        {
            try
            {
                await pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(20))), CancellationToken.None);
            }
            catch (InvalidOperationException ex) when (ex.Message.StartsWith("Injected store outage", StringComparison.Ordinal))
            {
            }
        }

        var unfinished = await WaitUntilAsync(async () => await store.Inner.ListUnfinishedAsync(default), jobs => jobs.Count == 0);
        unfinished.Should().BeEmpty("no job may stay unfinished after a store fault");
        // A job failed during the outage is written by this host's own retry, never claimed: claims under faults are the
        // next test's. Jobs may all end before the recovery loop has met each fault; it goes on ticking, and meets them.
        string[] methods = ["ListUnfinishedAsync", "UpdateAsync", "CreateAsync"];
        await WaitUntilAsync(() => Task.FromResult(store.Faults), faults => methods.All(m => faults.GetValueOrDefault(m) == 3));
        foreach (var method in methods)
        {
            store.Faults.GetValueOrDefault(method).Should().Be(3, $"{method} failed its first three calls");
        }

        // After the outage, with the same worker: every loop is still alive.
        store.EndOutage();
        var submitted = new List<JobStatus>();
        for (var i = 0; i < 4; i++)
        {
            submitted.Add(await pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(30, days: 3))), CancellationToken.None));
        }

        foreach (var job in submitted)
        {
            var done = await pipeline.WaitForCompletionAsync(job.JobId, CancellationToken.None).WaitAsync(Patience);
            done.State.Should().Be(JobState.JobComplete, done.Error?.Message);
            (await pipeline.GetResultAsync(job.JobId, CancellationToken.None))!.Offers.Should().HaveCount(3);
        }

        worker.IsCompleted.Should().BeFalse("the worker runs until it is stopped");
        await stop.CancelAsync();
        await worker.WaitAsync(Patience);
    }

    [Fact]
    public async Task ProcessJobsAsync_StoreFailsWhileAJobRuns_TheJobEndsFailedWithTheStoresErrorAndTheWorkerGoesOn()
    {
        // Host A imported the job and went away; host B takes it over while its store still fails: the stages' reads,
        // their writes and the failure path all fail at first. The run escapes to B's runner, recovery retries it, and
        // the job ends FAILED with the store's own error instead of staying unfinished.
        var inner = new InMemoryStore();
        string jobId;
        await using (var hostA = CreateHost(new FlakyStore(inner, failures: 0)))
        {
            var submitted = await hostA.GetRequiredService<IPipeline>()
                .SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(40, days: 4))), CancellationToken.None);
            submitted.State.Should().Be(JobState.InProgress);
            jobId = submitted.JobId;
        }

        var flaky = new FlakyStore(inner, failures: 2);
        await using var hostB = CreateHost(flaky);
        var pipeline = hostB.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var worker = hostB.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);

        var done = await WaitUntilAsync(async () => await inner.FindAsync(jobId, default), s => s!.IsTerminal);

        done!.State.Should().Be(JobState.Failed);
        done.Error!.Message.Should().Contain("Injected store outage", "the job names the true cause");
        flaky.Faults.GetValueOrDefault("TryClaimAsync").Should().Be(2, "the take-over itself met the outage");
        flaky.EndOutage();
        var next = await pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(10, days: 2))), CancellationToken.None);
        var finished = await pipeline.WaitForCompletionAsync(next.JobId, CancellationToken.None).WaitAsync(Patience);
        finished.State.Should().Be(JobState.JobComplete, finished.Error?.Message);
        worker.IsCompleted.Should().BeFalse();
        await stop.CancelAsync();
        await worker.WaitAsync(Patience);
    }

    [Fact]
    public void Backoff_DoublesPerFailureUpToTheCap()
    {
        var interval = TimeSpan.FromSeconds(5);

        var delays = Enumerable.Range(1, 5).Select(n => RecoveryLoop.Backoff(interval, n)).ToList();

        delays.Should().Equal(
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        RecoveryLoop.Backoff(TimeSpan.FromMinutes(2), 3).Should().Be(TimeSpan.FromMinutes(2), "an interval longer than the cap is kept");
        RecoveryLoop.Backoff(interval, 5, TimeSpan.FromSeconds(10)).Should().Be(TimeSpan.FromSeconds(10), "a live host refreshes its leases before they lapse");
        RecoveryLoop.Backoff(interval, 5, TimeSpan.FromSeconds(1)).Should().Be(interval, "the interval itself is never shortened");
    }

    internal static ServiceProvider CreateHost<TStore>(
        TStore store, Action<TransactionPipelineOptions>? configure = null, Action<IServiceCollection>? register = null)
        where TStore : class, IJobStore, ITransactionStore, IResultStore
    {
        var services = new ServiceCollection();
        register?.Invoke(services);
        services.AddSingleton(store);
        services.AddTransactionPipeline(o =>
        {
            o.ProgressInterval = TimeSpan.FromMilliseconds(10);
            o.EventPollInterval = TimeSpan.FromMilliseconds(20);
            o.RecoveryInterval = TimeSpan.FromMilliseconds(20);
            o.JobLeaseTimeout = TimeSpan.FromMilliseconds(500);
            configure?.Invoke(o);
        }).UseStorage<TStore>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Reads until the value is done, or the patience runs out; returns the last value read.</summary>
    internal static Task<T> WaitUntilAsync<T>(Func<Task<T>> read, Func<T, bool> done) => Polling.WaitUntilAsync(read, done, Patience);
}
