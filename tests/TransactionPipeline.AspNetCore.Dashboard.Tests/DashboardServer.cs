using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TransactionPipeline.AspNetCore.Dashboard;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>A real Kestrel host on 127.0.0.1 with the pipeline's HTTP API, a SQLite file store and the dashboard at <c>/pipeline</c>.</summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly string Folder = Directory.CreateTempSubdirectory("txp-dashboard-tests-").FullName;

    private readonly WebApplication _app;

    static DashboardServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    };

    private DashboardServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = Timeout };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>A connection string to a new SQLite file, removed when the test run ends.</summary>
    public static string NewDatabase() => $"Data Source={Path.Combine(Folder, $"{Guid.NewGuid():N}.db")}";

    /// <summary>Starts a host; the hooks add services, middleware before the routes, and conventions to the dashboard.</summary>
    public static async Task<DashboardServer> StartAsync(
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? middleware = null,
        Action<RouteGroupBuilder>? dashboard = null,
        Action<TransactionPipelineDashboardOptions>? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddTransactionPipeline(pipeline =>
            {
                pipeline.EventPollInterval = TimeSpan.FromMilliseconds(50);
                pipeline.ProgressInterval = TimeSpan.FromMilliseconds(50);

                // Small reads and batches, so that a slow upload shows its rows a few at a time.
                pipeline.InputBufferSize = 4_096;
                pipeline.ImportBatchSize = 20;
            })
            .UseSqlite(NewDatabase())
            .AddHttpAdapter(http => http.MinUploadGracePeriod = TimeSpan.FromHours(1));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        middleware?.Invoke(app);
        app.MapTransactionPipeline();
        var group = app.MapTransactionPipelineDashboard("/pipeline", o =>
        {
            o.RefreshInterval = TimeSpan.FromMilliseconds(250);
            options?.Invoke(o);
        });
        dashboard?.Invoke(group);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new DashboardServer(app, new Uri(address));
    }

    /// <summary>Submits a body; answers the job id of the 202 or 400 answer.</summary>
    public async Task<string> SubmitAsync(string body, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        using var response = await Client.PostAsync(
            "/api/financial-transactions/process-transactions/", new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
    }

    /// <summary>Submits a file of days that completes, and waits until it has.</summary>
    public async Task<string> SubmitCompletedAsync(int days = 3)
    {
        var id = await SubmitAsync(Bodies.Days(days));
        await WaitForStatusAsync(id, "JOB_COMPLETE");
        return id;
    }

    public async Task<JsonElement> StatusAsync(string jobId) =>
        await Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{jobId}/status/");

    /// <summary>Waits until the job is in one of the states; a job whose upload has only just begun may not exist yet.</summary>
    public async Task<JsonElement> WaitForStatusAsync(string jobId, params string[] states)
    {
        var status = await Polling.WaitUntilAsync(
            async () =>
            {
                using var response = await Client.GetAsync($"/api/jobs/{jobId}/status/");
                return response.StatusCode == HttpStatusCode.NotFound ? (JsonElement?)null : await response.Content.ReadFromJsonAsync<JsonElement>();
            },
            s => s is { } found && states.Contains(found.GetProperty("status").GetString()),
            Timeout);
        status.Should().NotBeNull($"job {jobId} exists");
        states.Should().Contain(status!.Value.GetProperty("status").GetString(), $"job {jobId} reaches one of them in {Timeout}");
        return status.Value;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
