using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TransactionPipeline.Tests.Shared;
using static Microsoft.Playwright.Assertions;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>With tenants, the dashboard shows each caller only its own jobs: the API's lists, and the dashboard's own data route.</summary>
[Collection(SharesBrowser.Name)]
public sealed class TenantTests(Browser browser)
{
    [ChromiumFact]
    public async Task JobsPage_TwoTenants_EachSeesOnlyItsOwnJobsAndDailyTotals()
    {
        await using var server = await DashboardServer.StartAsync(services: s => s.AddSingleton<IJobTenantProvider, CookieTenant>());
        var alice = await SubmitAsync(server, "alice");
        var bob = await SubmitAsync(server, "bob");
        await WaitCompleteAsync(server, "alice", alice);
        await WaitCompleteAsync(server, "bob", bob);
        var page = await browser.OpenAsync(server);
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = CookieTenant.Name, Value = "alice", Url = server.Address.ToString() }]);

        await page.GotoAsync("/pipeline/");

        await Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator($"#jobs tbody tr[data-job-id='{alice}']")).ToBeVisibleAsync();
        using var bobsDaysForAlice = await SendAsync(server, "alice", HttpMethod.Get, $"/pipeline/data/jobs/{bob}/daily");
        using var ownDays = await SendAsync(server, "alice", HttpMethod.Get, $"/pipeline/data/jobs/{alice}/daily");
        bobsDaysForAlice.StatusCode.Should().Be(HttpStatusCode.NotFound, "another tenant's job is unknown, as on every API route");
        ownDays.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task<string> SubmitAsync(DashboardServer server, string tenant)
    {
        using var response = await SendAsync(server, tenant, HttpMethod.Post, "/api/financial-transactions/process-transactions/",
            new StringContent(Bodies.Days(2), Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
    }

    private static async Task WaitCompleteAsync(DashboardServer server, string tenant, string jobId)
    {
        var status = await Polling.WaitUntilAsync(
            async () =>
            {
                using var response = await SendAsync(server, tenant, HttpMethod.Get, $"/api/jobs/{jobId}/status/");
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
            },
            s => s == "JOB_COMPLETE",
            DashboardServer.Timeout);
        status.Should().Be("JOB_COMPLETE");
    }

    private static async Task<HttpResponseMessage> SendAsync(DashboardServer server, string tenant, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Cookie", $"{CookieTenant.Name}={tenant}");
        return await server.Client.SendAsync(request);
    }

    /// <summary>The tenant is a cookie: a browser sends it with every call the pages make.</summary>
    private sealed class CookieTenant : IJobTenantProvider
    {
        public const string Name = "tenant";

        public ValueTask<string?> GetTenantAsync(HttpContext context) => ValueTask.FromResult(context.Request.Cookies[Name]);
    }
}
