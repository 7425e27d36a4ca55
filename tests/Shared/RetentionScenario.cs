using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace TransactionPipeline.Tests.Shared;

/// <summary>
/// Retention on a real store under a fake clock: a completed and a failed job, then simulated time passes and the
/// worker's sweep removes the failed job, then the completed job's rows (its results stay), then the completed job.
/// </summary>
internal static class RetentionScenario
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    /// <param name="useStore">Puts the store under test into the pipeline.</param>
    /// <param name="anyRows">Says whether the store still holds raw rows, read from the store's own files or tables.</param>
    public static async Task RunAsync(Action<ITransactionPipelineBuilder> useStore, Func<Task<bool>> anyRows)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        var builder = services.AddTransactionPipeline(o =>
        {
            o.Retention.CompletedJobRows = TimeSpan.FromHours(1);
            o.Retention.CompletedJobs = TimeSpan.FromHours(3);
            o.Retention.FailedJobs = TimeSpan.FromMinutes(30);
            o.Retention.SweepInterval = SweepInterval;
        });
        useStore(builder);
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var worker = provider.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);

        var items = string.Join(", ", Enumerable.Range(0, 300).Select(i =>
            $$"""{"amount": {{i % 50 + 1}}.25, "date": "2024-11-{{i % 20 + 1:00}}", "is_revenue": {{(i % 3 == 0 ? "false" : "true")}}, "description": "t{{i}}"}"""));
        var completed = await pipeline.RunAsync(PipelineInput.FromJson(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"data": [{{items}}]}"""))));
        var failed = await pipeline.RunAsync(PipelineInput.FromJson(new MemoryStream("""{"data": [{"amount": "x"}]}"""u8.ToArray())));
        completed.State.Should().Be(JobState.JobComplete, completed.Error?.Message);
        failed.State.Should().Be(JobState.Failed);
        var offers = (await pipeline.GetResultAsync(completed.JobId))!.Offers;
        (await anyRows()).Should().BeTrue("a completed job keeps its rows for CompletedJobRows");

        await AdvanceUntilAsync(clock, TimeSpan.FromMinutes(31), async () => await pipeline.GetStatusAsync(failed.JobId) is null);
        (await anyRows()).Should().BeTrue("the completed job's rows are kept for an hour");
        (await pipeline.GetStatusAsync(completed.JobId))!.State.Should().Be(JobState.JobComplete);

        await AdvanceUntilAsync(clock, TimeSpan.FromMinutes(30), async () => !await anyRows());
        (await pipeline.GetStatusAsync(completed.JobId))!.State.Should().Be(JobState.JobComplete, "only the rows went");
        (await pipeline.GetResultAsync(completed.JobId))!.Offers.Should().BeEquivalentTo(offers, "results stay readable without the rows");

        await AdvanceUntilAsync(clock, TimeSpan.FromMinutes(120), async () => await pipeline.GetStatusAsync(completed.JobId) is null);
        (await pipeline.GetResultAsync(completed.JobId)).Should().BeNull();
        (await pipeline.ListJobsAsync(new JobQuery())).Jobs.Should().BeEmpty();

        await stop.CancelAsync();
        await worker.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Moves the clock on by <paramref name="by"/>, then waits for the sweep that fires; a sweep timer set after the
    /// move waits one more interval, so the clock is nudged by one interval each half second until the condition holds.
    /// </summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider clock, TimeSpan by, Func<Task<bool>> condition)
    {
        clock.Advance(by);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        for (var polls = 1; !await condition(); polls++)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The sweep did not remove what was due {by} later (simulated time now {clock.GetUtcNow():O}).");
            }

            await Task.Delay(50);
            if (polls % 10 == 0)
            {
                clock.Advance(SweepInterval);
            }
        }
    }
}
