using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TransactionPipeline.AspNetCore.Tests;

/// <summary>A real Kestrel host of the adapter on 127.0.0.1 and a free port.</summary>
internal sealed class PipelineServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly WebApplication _app;

    private PipelineServer(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address, Timeout = Timeout };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<PipelineServer> StartAsync(
        Action<TransactionPipelineHttpOptions>? configure = null, Action<ITransactionPipelineBuilder>? pipeline = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var pipelineBuilder = builder.Services.AddTransactionPipeline(options =>
            {
                options.EventPollInterval = TimeSpan.FromMilliseconds(50);
                options.ProgressInterval = TimeSpan.FromMilliseconds(50);
            })
            .UseTestStorage()
            .AddHttpAdapter(options =>
            {
                options.AllowPrivateWebhookTargets = true;
                options.WebhookFirstRetryDelay = TimeSpan.FromMilliseconds(50);
                options.WebhookMaxRetryDelay = TimeSpan.FromMilliseconds(200);
                options.WebhookTimeout = TimeSpan.FromSeconds(5);
                configure?.Invoke(options);
            });
        pipeline?.Invoke(pipelineBuilder);
        builder.Services.AddHealthChecks().AddTransactionPipeline();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapTransactionPipeline();
        app.MapHealthChecks("/healthz");
        await app.StartAsync();
        return new PipelineServer(app, BoundAddress(app));
    }

    public static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    public async Task<HttpResponseMessage> SubmitAsync(string body) =>
        await Client.PostAsync("/api/financial-transactions/process-transactions/", new StringContent(body, Encoding.UTF8, "application/json"));

    public async Task<string> SubmitSampleAsync()
    {
        using var response = await SubmitAsync(SeedSample.Request);
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("job_id").GetString()!;
    }

    public async Task<JsonElement> WaitForStatusAsync(string jobId, params string[] states)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            // A job whose upload has only just begun may not exist yet: 404 means "not yet" here, until the timeout.
            using var response = await Client.GetAsync($"/api/jobs/{jobId}/status/", timeout.Token);
            if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
            {
                response.EnsureSuccessStatusCode();
                var status = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                if (states.Contains(status.GetProperty("status").GetString()))
                {
                    return status;
                }
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class SeedSample
{
    /// <summary>The request body of the seed's design, verbatim but for its comment.</summary>
    public const string Request = """
        {
            "data": [
                {
                    "amount": 1500.00,
                    "date": "2024-01-15",
                    "is_revenue": true,
                    "description": "Revenue transaction"
                }
            ],
            "credit_model_config": {
                "model_version": "v2.1",
                "risk_threshold": 0.7,
                "credit_score_weights": {
                    "transaction_volume": 0.4,
                    "revenue_ratio": 0.3,
                    "consistency": 0.3
                }
            },
            "aggregate_config": {
                "group_by": "date",
                "include_metrics": ["total_amount", "revenue_amount", "transaction_count"],
                "date_range": "last_30_days"
            }
        }
        """;
}
