using static System.Threading.CancellationToken;

namespace TransactionPipeline.Tests.Pipeline;

/// <summary><see cref="IPipeline.DeleteAsync"/>: a finished job goes with everything it left; a running one stays.</summary>
public sealed class JobDeletionTests
{
    [Fact]
    public async Task DeleteAsync_CompletedJob_StatusResultsRowsAndEventsAreGone()
    {
        await using var fixture = new PipelineFixture();
        var job = await fixture.RunAsync(TestData.Generated(50, days: 3));
        var kept = await fixture.RunAsync(TestData.Generated(20, days: 2));

        var deleted = await fixture.Pipeline.DeleteAsync(job.JobId);

        deleted.Should().Be(JobDeletion.Deleted);
        (await fixture.Pipeline.GetStatusAsync(job.JobId)).Should().BeNull();
        (await fixture.Pipeline.GetResultAsync(job.JobId)).Should().BeNull();
        (await fixture.RowsAsync(job.JobId)).Should().BeEmpty();
        (await fixture.EventsAsync(job.JobId)).Should().BeEmpty();
        (await fixture.Pipeline.ListJobsAsync(new JobQuery())).Jobs.Select(j => j.JobId).Should().Equal(kept.JobId);
        (await fixture.Pipeline.GetResultAsync(kept.JobId)).Should().NotBeNull();
        (await fixture.RowsAsync(kept.JobId)).Should().HaveCount(20);
        (await fixture.Pipeline.DeleteAsync(job.JobId)).Should().Be(JobDeletion.NotFound, "it is gone already");
    }

    [Fact]
    public async Task DeleteAsync_FailedJob_IsDeleted()
    {
        await using var fixture = new PipelineFixture();
        var failed = await fixture.RunAsync("""{"data": [{"amount": "x"}]}""");

        (await fixture.Pipeline.DeleteAsync(failed.JobId)).Should().Be(JobDeletion.Deleted);

        failed.State.Should().Be(JobState.Failed);
        (await fixture.Pipeline.GetStatusAsync(failed.JobId)).Should().BeNull();
    }

    [Fact]
    public async Task DeleteAsync_RunningJob_AnswersNotFinishedAndTheJobRunsOn()
    {
        await using var fixture = new PipelineFixture(configure: b => b.AddTransactionStage<SlowStage>(), options: o => o.ImportBatchSize = 1);
        var created = new TaskCompletionSource<string>();
        var input = PipelineInput.FromJson(TestData.Stream(TestData.Generated(200)));
        input.Progress = new Progress(status => created.TrySetResult(status.JobId));
        var run = fixture.Pipeline.RunAsync(input, None);
        var jobId = await created.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var deletion = await fixture.Pipeline.DeleteAsync(jobId);
        var status = await run.WaitAsync(TimeSpan.FromSeconds(30));

        deletion.Should().Be(JobDeletion.NotFinished);
        status.State.Should().Be(JobState.JobComplete);
        (await fixture.Pipeline.GetResultAsync(jobId)).Should().NotBeNull();
    }

    [Fact]
    public async Task DeleteAsync_UnknownJob_AnswersNotFound()
    {
        await using var fixture = new PipelineFixture();

        (await fixture.Pipeline.DeleteAsync("pipeline_20000101_001")).Should().Be(JobDeletion.NotFound);
    }

    private sealed class SlowStage : ITransactionStage
    {
        public async ValueTask ProcessAsync(TransactionStageContext context, CancellationToken cancellationToken) =>
            await Task.Delay(5, cancellationToken);
    }

    private sealed class Progress(Action<JobStatus> report) : IProgress<JobStatus>
    {
        public void Report(JobStatus value) => report(value);
    }
}
