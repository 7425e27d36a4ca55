using static TransactionPipeline.Testing.Conformance.StoreTestData;

namespace TransactionPipeline.Testing.Conformance;

/// <content>Job control: cancellation requests, listing and deletion.</content>
public abstract partial class JobStoreConformanceTests
{
    [StoreFact]
    public async Task RequestCancellationAsync_UnfinishedJob_ListedForItsOwnerOnly()
    {
        var store = await CreateStoreAsync();
        var mine = await CreateJobAsync(store, Owner, CreatedAt);
        var other = await CreateJobAsync(store, "host-b", CreatedAt);
        await CreateJobAsync(store, Owner, CreatedAt);

        var outcome = await store.RequestCancellationAsync(mine.JobId, "DELETE from 10.0.0.7", default);
        await store.RequestCancellationAsync(other.JobId, "someone", default);

        outcome.Should().Be(JobUpdateOutcome.Updated);
        (await store.ListCancellationRequestsAsync(Owner, default)).Should().Equal(new JobCancellationRequest(mine.JobId, "DELETE from 10.0.0.7"));
        (await store.ListCancellationRequestsAsync("host-c", default)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task RequestCancellationAsync_FinishedOrUnknownJob_AnswersSoAndListsNothing()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        await store.UpdateAsync(new JobUpdate(Failed(job), Owner, JobEventTypes.Failed), default);

        var finished = await store.RequestCancellationAsync(job.JobId, "someone", default);
        var unknown = await store.RequestCancellationAsync("pipeline_20000101_001", "someone", default);

        finished.Should().Be(JobUpdateOutcome.Terminal);
        unknown.Should().Be(JobUpdateOutcome.NotFound);
        (await store.ListCancellationRequestsAsync(Owner, default)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task ListCancellationRequestsAsync_JobFinishedAfterTheRequest_NoLongerListed()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        await store.RequestCancellationAsync(job.JobId, "someone", default);

        await store.UpdateAsync(new JobUpdate(Failed(job), Owner, JobEventTypes.Failed), default);

        (await store.ListCancellationRequestsAsync(Owner, default)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task ListAsync_NoFilter_NewestFirstByCreationThenId()
    {
        var store = await CreateStoreAsync();
        var first = await CreateJobAsync(store, Owner, CreatedAt);
        var sameTime = await CreateJobAsync(store, Owner, CreatedAt);
        var later = await CreateJobAsync(store, Owner, CreatedAt.AddMinutes(5));

        var listed = await store.ListAsync(new JobQuery(), 10, default);

        listed.Select(j => j.JobId).Should().Equal(later.JobId, sameTime.JobId, first.JobId);
        listed[0].Should().Be(later);
    }

    [StoreFact]
    public async Task ListAsync_StateAndCreatedAfter_OnlyMatchingJobs()
    {
        var store = await CreateStoreAsync();
        var old = await CreateJobAsync(store, Owner, CreatedAt);
        await store.UpdateAsync(new JobUpdate(Failed(old), Owner, JobEventTypes.Failed), default);
        var recentFailed = await CreateJobAsync(store, Owner, CreatedAt.AddHours(1));
        await store.UpdateAsync(new JobUpdate(Failed(recentFailed), Owner, JobEventTypes.Failed), default);
        await CreateJobAsync(store, Owner, CreatedAt.AddHours(2));

        var failed = await store.ListAsync(new JobQuery { State = JobState.Failed }, 10, default);
        var recent = await store.ListAsync(new JobQuery { State = JobState.Failed, CreatedAfter = CreatedAt.AddMinutes(30) }, 10, default);
        var older = await store.ListAsync(new JobQuery { State = JobState.Failed, CreatedBefore = CreatedAt.AddMinutes(30) }, 10, default);
        var between = await store.ListAsync(new JobQuery { CreatedAfter = CreatedAt, CreatedBefore = CreatedAt.AddHours(2) }, 10, default);

        failed.Select(j => j.JobId).Should().Equal(recentFailed.JobId, old.JobId);
        recent.Select(j => j.JobId).Should().Equal(recentFailed.JobId);
        older.Select(j => j.JobId).Should().Equal(old.JobId);
        between.Select(j => j.JobId).Should().Equal([recentFailed.JobId], "both bounds are exclusive");
    }

    [StoreFact]
    public async Task ListAsync_PageByPageWithCursors_EveryJobOnceInOrder()
    {
        var store = await CreateStoreAsync();
        var created = new List<JobStatus>();
        for (var i = 0; i < 7; i++)
        {
            // Pairs share a creation time, so the id decides between them.
            created.Add(await CreateJobAsync(store, Owner, CreatedAt.AddMinutes(i / 2)));
        }

        var seen = new List<string>();
        var query = new JobQuery { Limit = 3 };
        for (var page = 0; page < 10; page++)
        {
            var jobs = await store.ListAsync(query, query.Limit, default);
            seen.AddRange(jobs.Select(j => j.JobId));
            if (jobs.Count < query.Limit)
            {
                break;
            }

            query = query with { Cursor = JobQuery.CursorAfter(jobs[^1]) };
        }

        seen.Should().Equal(created.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.JobId, StringComparer.Ordinal).Select(j => j.JobId));
    }

    [StoreTheory]
    [InlineData(JobState.JobComplete)]
    [InlineData(JobState.Failed)]
    public async Task DeleteAsync_FinishedJob_GoneWithItsEventsAndOthersStay(JobState terminal)
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        var other = await CreateJobAsync(store, Owner, CreatedAt.AddMinutes(1));
        await FinishAsync(store, job, terminal);

        var deleted = await store.DeleteAsync(job.JobId, default);

        deleted.Should().BeTrue();
        var reopened = await ReopenStoreAsync();
        (await reopened.FindAsync(job.JobId, default)).Should().BeNull();
        (await reopened.ReadEventsAsync(job.JobId, 0, default)).Should().BeEmpty();
        (await reopened.ListAsync(new JobQuery(), 10, default)).Select(j => j.JobId).Should().Equal(other.JobId);
        (await reopened.ReadEventsAsync(other.JobId, 0, default)).Should().ContainSingle();
    }

    [StoreFact]
    public async Task DeleteAsync_UnfinishedOrUnknownJob_AnswersFalseAndKeepsEverything()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);

        var unfinished = await store.DeleteAsync(job.JobId, default);
        var unknown = await store.DeleteAsync("pipeline_20000101_001", default);

        unfinished.Should().BeFalse();
        unknown.Should().BeFalse();
        (await store.FindAsync(job.JobId, default)).Should().Be(job);
        (await store.ReadEventsAsync(job.JobId, 0, default)).Should().ContainSingle();
    }

    [StoreFact]
    public async Task TryAcquireLeaseAsync_HeldByAnother_RefusedUntilItExpires()
    {
        var store = await CreateStoreAsync();
        var lease = TimeSpan.FromMinutes(1);

        (await store.TryAcquireLeaseAsync("retention", "host-a", CreatedAt, lease, default)).Should().BeTrue();
        (await store.TryAcquireLeaseAsync("retention", "host-b", CreatedAt.AddSeconds(30), lease, default)).Should().BeFalse();
        (await store.TryAcquireLeaseAsync("other", "host-b", CreatedAt.AddSeconds(30), lease, default)).Should().BeTrue("leases are by name");
        (await store.TryAcquireLeaseAsync("retention", "host-a", CreatedAt.AddSeconds(50), lease, default)).Should().BeTrue("the holder renews");
        (await store.TryAcquireLeaseAsync("retention", "host-b", CreatedAt.AddSeconds(90), lease, default)).Should().BeFalse("the renewal moved the expiry");

        var reopened = await ReopenStoreAsync();
        (await reopened.TryAcquireLeaseAsync("retention", "host-b", CreatedAt.AddSeconds(111), lease, default)).Should().BeTrue();
        (await reopened.TryAcquireLeaseAsync("retention", "host-a", CreatedAt.AddSeconds(112), lease, default)).Should().BeFalse();
    }

    [StoreFact]
    public async Task TryAcquireLeaseAsync_ConcurrentHosts_OneWins()
    {
        var store = await CreateStoreAsync();

        var won = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            store.TryAcquireLeaseAsync("retention", $"host-{i}", CreatedAt, TimeSpan.FromMinutes(1), default).AsTask()));

        won.Count(w => w).Should().Be(1);
    }

    [StoreFact]
    public async Task Tenant_KeptFromCreationThroughUpdates_AndListsFilterByIt()
    {
        var store = await CreateStoreAsync();
        var day = JobIds.DayOf(CreatedAt);
        async Task<JobStatus> CreateAsync(string? tenant, int minutes) => await store.CreateAsync(
            NewJob.Open(JobIds.Format(day, await store.ReserveJobNumberAsync(day, default)), Owner, CreatedAt.AddMinutes(minutes), tenant: tenant), default);
        var a1 = await CreateAsync("tenant-a", 0);
        var b1 = await CreateAsync("tenant-b", 1);
        var a2 = await CreateAsync("tenant-a", 2);
        var none = await CreateAsync(null, 3);
        await store.UpdateAsync(new JobUpdate(Failed(a1) with { Tenant = null }, Owner, JobEventTypes.Failed), default);

        var reopened = await ReopenStoreAsync();

        (await reopened.FindAsync(a1.JobId, default))!.Tenant.Should().Be("tenant-a", "an update never changes the tenant");
        (await reopened.FindAsync(none.JobId, default))!.Tenant.Should().BeNull();
        (await reopened.ListAsync(new JobQuery { Tenant = "tenant-a" }, 10, default)).Select(j => j.JobId).Should().Equal(a2.JobId, a1.JobId);
        (await reopened.ListAsync(new JobQuery { Tenant = "tenant-b" }, 10, default)).Should().ContainSingle().Which.Should().Be(b1);
        (await reopened.ListAsync(new JobQuery(), 10, default)).Should().HaveCount(4);
    }
}
