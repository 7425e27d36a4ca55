using System.Net.Http.Json;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.AspNetCore.Tests.Health;

/// <summary>The pipeline's three health checks in a real host: store (ready), worker loop (live), webhook backlog (ready).</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task Checks_RunningHost_LiveAndReadyReportTheirOwnChecksHealthy()
    {
        await using var server = await PipelineServer.StartAsync();
        var health = server.Services.GetRequiredService<HealthCheckService>();

        // The hosted worker starts its first round just after the host: a running host is one whose worker went round.
        var live = await Polling.WaitUntilAsync(
            () => health.CheckHealthAsync(c => c.Tags.Contains(TransactionPipelineHealthChecksBuilderExtensions.LiveTag)),
            report => report.Status == HealthStatus.Healthy,
            PipelineServer.Timeout);
        var ready = await health.CheckHealthAsync(c => c.Tags.Contains(TransactionPipelineHealthChecksBuilderExtensions.ReadyTag));

        live.Entries.Keys.Should().Equal("transaction_pipeline_worker");
        ready.Entries.Keys.Should().BeEquivalentTo("transaction_pipeline", "transaction_pipeline_webhooks");
        live.Status.Should().Be(HealthStatus.Healthy, Describe(live));
        ready.Status.Should().Be(HealthStatus.Healthy, Describe(ready));
    }

    [Fact]
    public async Task WorkerCheck_RecoveryLoopStuckInTheStoreForLongerThanALease_UnhealthyThenHealthyWhenItGoesRoundAgain()
    {
        var gate = new StallGate();
        await using var server = await PipelineServer.StartAsync(pipeline: p =>
        {
            p.Services.Configure<TransactionPipelineOptions>(o =>
            {
                o.RecoveryInterval = TimeSpan.FromMilliseconds(50);
                o.JobLeaseTimeout = TimeSpan.FromMilliseconds(300);
            });
            StallingJobStore.Wrap(p.Services, gate);
        });
        var health = server.Services.GetRequiredService<HealthCheckService>();
        (await WaitForWorkerAsync(health, HealthStatus.Healthy)).Status.Should().Be(HealthStatus.Healthy);

        gate.Close();
        var stuck = await WaitForWorkerAsync(health, HealthStatus.Unhealthy);
        gate.Open();
        var recovered = await WaitForWorkerAsync(health, HealthStatus.Healthy);

        stuck.Status.Should().Be(HealthStatus.Unhealthy);
        stuck.Description.Should().Contain("last went round").And.Contain("limit 0.3 s");
        recovered.Status.Should().Be(HealthStatus.Healthy, "the loop goes round again once the store answers");
    }

    [Fact]
    public async Task WorkerCheck_WorkerStopped_UnhealthySayingItDoesNotRun()
    {
        await using var server = await PipelineServer.StartAsync();
        var health = server.Services.GetRequiredService<HealthCheckService>();
        var worker = server.Services.GetServices<IHostedService>().Single(s => s.GetType().Name == "PipelineWorker");

        await worker.StopAsync(CancellationToken.None);
        var report = await WorkerAsync(health);

        report.Status.Should().Be(HealthStatus.Unhealthy);
        report.Description.Should().Contain("not running");
    }

    [Fact]
    public async Task WebhookCheck_MoreRegistrationsDeliveringThanTheLimit_Degraded()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: int.MaxValue);
        await using var server = await PipelineServer.StartAsync(o =>
        {
            o.WebhookBacklogLimit = 1;
            o.WebhookMaxAttempts = 100;
        });
        var health = server.Services.GetRequiredService<HealthCheckService>();
        var jobId = await server.SubmitSampleAsync();

        for (var i = 0; i < 2; i++)
        {
            using var registered = await server.Client.PostAsJsonAsync(
                "/api/jobs/webhooks/register/", new { job_id = jobId, webhook_url = receiver.Url, events = new[] { "JOB_COMPLETE" } });
            registered.EnsureSuccessStatusCode();
        }

        var report = await health.CheckHealthAsync(c => c.Name == "transaction_pipeline_webhooks");
        report.Status.Should().Be(HealthStatus.Degraded, Describe(report));
        report.Entries["transaction_pipeline_webhooks"].Data["backlog"].Should().Be(2);
    }

    private static Task<HealthReportEntry> WaitForWorkerAsync(HealthCheckService health, HealthStatus status) =>
        Polling.WaitUntilAsync(() => WorkerAsync(health), e => e.Status == status, PipelineServer.Timeout);

    private static async Task<HealthReportEntry> WorkerAsync(HealthCheckService health) =>
        (await health.CheckHealthAsync(c => c.Name == "transaction_pipeline_worker")).Entries["transaction_pipeline_worker"];

    private static string Describe(HealthReport report) =>
        string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status} {e.Value.Description}"));
}

/// <summary>Holds the store's <c>ListUnfinishedAsync</c> (the recovery loop's first call of a round) while closed.</summary>
internal sealed class StallGate
{
    private volatile TaskCompletionSource _open = CompletedSource();

    public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) => _open.Task.WaitAsync(cancellationToken);

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}

/// <summary>The host's real job store, with <c>ListUnfinishedAsync</c> held by a <see cref="StallGate"/>: a store call that hangs.</summary>
public class StallingJobStore : DispatchProxy
{
    private IJobStore _inner = null!;
    private StallGate _gate = null!;

    internal static void Wrap(IServiceCollection services, StallGate gate)
    {
        var original = services.Last(d => d.ServiceType == typeof(IJobStore));
        services.Add(ServiceDescriptor.Singleton<IJobStore>(provider =>
        {
            var inner = (IJobStore)(original.ImplementationInstance
                ?? original.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, original.ImplementationType!));
            var proxy = Create<IJobStore, StallingJobStore>();
            var stalling = (StallingJobStore)(object)proxy;
            stalling._inner = inner;
            stalling._gate = gate;
            return proxy;
        }));
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod!.Name == nameof(IJobStore.ListUnfinishedAsync))
        {
            return new ValueTask<IReadOnlyList<JobStatus>>(ListAfterGateAsync((CancellationToken)args![0]!));
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    private async Task<IReadOnlyList<JobStatus>> ListAfterGateAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return await _inner.ListUnfinishedAsync(cancellationToken);
    }
}
