using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.Testing;

namespace TransactionPipeline.Tests.Pipeline;

/// <summary>A pipeline over the in-memory store, configured the way a host would.</summary>
internal sealed class PipelineFixture : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public PipelineFixture(Action<ITransactionPipelineBuilder>? configure = null, Action<TransactionPipelineOptions>? options = null, InMemoryStore? store = null)
    {
        var services = new ServiceCollection();
        if (store is not null)
        {
            services.AddSingleton(store);
        }

        var builder = services.AddTransactionPipeline(o =>
        {
            o.ProgressInterval = TimeSpan.FromMilliseconds(10);
            o.EventPollInterval = TimeSpan.FromMilliseconds(20);
            options?.Invoke(o);
        });
        if (store is null)
        {
            builder.UseInMemoryStorage();
        }
        else
        {
            builder.UseStorage<InMemoryStore>();
        }

        configure?.Invoke(builder);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public IPipeline Pipeline => _services.GetRequiredService<IPipeline>();

    public IPipelineWorker Worker => _services.GetRequiredService<IPipelineWorker>();

    public IServiceProvider Services => _services;

    public InMemoryStore Store => _services.GetRequiredService<InMemoryStore>();

    public Task<JobStatus> RunAsync(string body) => Pipeline.RunAsync(PipelineInput.FromJson(TestData.Stream(body)), CancellationToken.None);

    public async Task<List<JobEvent>> EventsAsync(string jobId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<JobEvent>();
        await foreach (var jobEvent in Pipeline.WatchAsync(jobId, 0, timeout.Token))
        {
            events.Add(jobEvent);
        }

        return events;
    }

    public async Task<List<TransactionRecord>> RowsAsync(string jobId)
    {
        var rows = new List<TransactionRecord>();
        await foreach (var row in ((ITransactionStore)Store).ReadAsync(jobId, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
