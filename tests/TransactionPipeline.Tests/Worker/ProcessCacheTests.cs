using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.Jobs;
using TransactionPipeline.Pipeline;

namespace TransactionPipeline.Tests.Worker;

/// <summary>What a process keeps per job is released when the job ends, so a long-running host does not grow with every job.</summary>
public sealed class ProcessCacheTests
{
    [Fact]
    public async Task RunAsync_TenThousandSmallJobs_LeaveNoPerJobStateInTheProcess()
    {
        await using var fixture = new Tests.Pipeline.PipelineFixture();
        var pipeline = fixture.Pipeline;
        var active = fixture.Services.GetRequiredService<ActiveJobs>();
        var notifier = fixture.Services.GetRequiredService<JobEventNotifier>();
        var body = TestData.Generated(2, days: 1);

        for (var i = 0; i < 10_000; i++)
        {
            var status = await pipeline.RunAsync(PipelineInput.FromJson(TestData.Stream(body)), CancellationToken.None);
            status.State.Should().Be(JobState.JobComplete, status.Error?.Message);
            if (i % 10 == 0)
            {
                // A subscriber that reads to the end, and one that gives up early: both release their entry.
                await pipeline.WaitForCompletionAsync(status.JobId, CancellationToken.None);
                using var giveUp = new CancellationTokenSource();
                await using var events = pipeline.WatchAsync(status.JobId, 0, giveUp.Token).GetAsyncEnumerator();
                (await events.MoveNextAsync()).Should().BeTrue();
            }
        }

        active.Count.Should().Be(0, "no job is in flight");
        notifier.Count.Should().Be(0, "no one is watching");
    }
}
