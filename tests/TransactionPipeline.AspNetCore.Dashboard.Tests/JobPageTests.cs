using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using TransactionPipeline.Tests.Shared;
using static Microsoft.Playwright.Assertions;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>A job's page in the system Chromium: its error, offers, chart, live progress, cancel and delete.</summary>
[Collection(SharesBrowser.Name)]
public sealed class JobPageTests(Browser browser)
{
    /// <summary>Keeps every text the status badge takes, from the first one on.</summary>
    private const string RecordStatusTexts = """
        window.statusTexts = [];
        document.addEventListener("DOMContentLoaded", () => {
          const badge = document.getElementById("status");
          new MutationObserver(() => window.statusTexts.push(badge.textContent))
            .observe(badge, { childList: true, characterData: true, subtree: true });
        });
        """;

    [ChromiumFact]
    public async Task JobPage_FailedJob_ShowsTheErrorWithItsItemIndexAndByteOffset()
    {
        await using var server = await DashboardServer.StartAsync();
        var failed = await server.SubmitAsync(Bodies.Invalid, HttpStatusCode.BadRequest);
        var error = (await server.StatusAsync(failed)).GetProperty("error");
        var page = await browser.OpenAsync(server);

        await page.GotoAsync($"/pipeline/jobs/{failed}");

        await Expect(page.Locator("#status")).ToHaveTextAsync("Failed");
        await Expect(page.Locator("#error-kind")).ToHaveTextAsync("invalid_input");
        await Expect(page.Locator("#error-item")).ToHaveTextAsync("1");
        await Expect(page.Locator("#error-offset")).ToHaveTextAsync(error.GetProperty("byte_offset").GetInt64().ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")));
        await Expect(page.Locator("#error-path")).ToHaveTextAsync("$.data[1].amount");
        await Expect(page.Locator("#error-message")).ToHaveTextAsync(error.GetProperty("message").GetString()!);
        await Expect(page.Locator("#timeline li[data-stage='import']")).ToHaveClassAsync("failed");
        await Expect(page.Locator("#events tbody tr").Last).ToContainTextAsync("FAILED");
        await Expect(page.Locator("#delete")).ToBeVisibleAsync();
        await Expect(page.Locator("#cancel")).ToBeHiddenAsync();
    }

    [ChromiumFact]
    public async Task JobPage_CompletedJob_ShowsOneOfferRowPerDateAChartAndDeletesAfterConfirmation()
    {
        await using var server = await DashboardServer.StartAsync();
        var completed = await server.SubmitCompletedAsync(days: 14);
        var offers = await server.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{completed}/offers/");
        var page = await browser.OpenAsync(server);
        await page.AddInitScriptAsync(RecordStatusTexts);

        await page.GotoAsync($"/pipeline/jobs/{completed}");

        await Expect(page.Locator("#status")).ToHaveTextAsync("Complete");
        await Expect(page.Locator("#offers tbody tr")).ToHaveCountAsync(14);
        var dates = await page.Locator("#offers tbody tr th").AllTextContentsAsync();
        dates.Should().Equal(Enumerable.Range(0, 14).Select(d => new DateOnly(2024, 1, 1).AddDays(d).ToString("yyyy-MM-dd")), "one row per date, in date order");
        var firstOffer = offers.GetProperty("offers")[0];
        await Expect(page.Locator("#offers tbody tr").First.Locator("td").Nth(3)).ToHaveTextAsync(firstOffer.GetProperty("credit_score").GetInt32().ToString());
        await Expect(page.Locator("#offers tbody tr").First.Locator("td").Nth(4)).ToHaveTextAsync(firstOffer.GetProperty("risk_level").GetString()!);
        await Expect(page.Locator("#chart svg path")).ToHaveCountAsync(3);
        await Expect(page.Locator("#chart svg circle")).ToHaveCountAsync(3 * 14);
        await Expect(page.Locator("#chart-legend")).ToContainTextAsync("Revenue");
        await Expect(page.Locator("#timeline li.done")).ToHaveCountAsync(5);
        await Expect(page.Locator("#events tbody tr").Last).ToContainTextAsync("JOB_COMPLETE");
        await Expect(page.Locator("#rows")).ToHaveTextAsync("28");
        (await page.EvaluateAsync<string[]>("() => window.statusTexts")).Should().OnlyContain(
            text => text == "Complete", "the event stream's replay of the job's history never shows the finished job as running again");
        await Screenshots.TakeAsync(page, "job.png");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete job" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Keep the job" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        (await server.Client.GetAsync($"/api/jobs/{completed}/status/")).StatusCode.Should().Be(HttpStatusCode.OK, "keeping the job deletes nothing");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete job" }).ClickAsync();
        await page.Locator("#confirm-yes").ClickAsync();

        await Expect(page.Locator("#notice")).ToHaveTextAsync($"Job {completed} was deleted.");
        (await server.Client.GetAsync($"/api/jobs/{completed}/status/")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        new Uri(page.Url).AbsolutePath.Should().Be("/pipeline/");
    }

    [ChromiumFact]
    public async Task JobPage_RunningJobCancelledFromThePage_ShowsLiveProgressThenEndsFailedWithKindCancelled()
    {
        await using var server = await DashboardServer.StartAsync();
        await using var upload = await SlowUpload.StartAsync(server);
        var page = await browser.OpenAsync(server);

        await page.GotoAsync($"/pipeline/jobs/{upload.JobId}");

        await Expect(page.Locator("#status")).ToHaveTextAsync("In progress");
        await Expect(page.Locator("#timeline li[data-stage='import']")).ToHaveClassAsync("active");
        var rows = page.Locator("#rows");
        var before = await Polling.WaitUntilAsync(async () => Browser.Number(await rows.TextContentAsync()), n => n > 0, DashboardServer.Timeout);
        before.Should().BeGreaterThan(0, "the page shows the rows imported before the upload paused");
        upload.Resume();
        var after = await Polling.WaitUntilAsync(async () => Browser.Number(await rows.TextContentAsync()), n => n > before, DashboardServer.Timeout);
        after.Should().BeGreaterThan(before, "progress arrives from the event stream while the page is open");
        await Expect(page.Locator("#events tbody tr", new() { HasText = "IMPORT_PROGRESS" }).First).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "job-running.png");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Cancel this job?");
        await page.Locator("#confirm-yes").ClickAsync();

        await Expect(page.Locator("#status")).ToHaveTextAsync("Failed");
        await Expect(page.Locator("#error-kind")).ToHaveTextAsync("cancelled");
        var status = await server.StatusAsync(upload.JobId);
        status.GetProperty("status").GetString().Should().Be("FAILED");
        status.GetProperty("error").GetProperty("kind").GetString().Should().Be("cancelled");
        await Expect(page.Locator("#delete")).ToBeVisibleAsync();
    }

    [ChromiumFact]
    public async Task JobPage_UnknownJob_SaysSo()
    {
        await using var server = await DashboardServer.StartAsync();
        var page = await browser.OpenAsync(server);

        await page.GotoAsync("/pipeline/jobs/pipeline_20240101_999");

        await Expect(page.Locator("#notice")).ToHaveTextAsync("There is no job pipeline_20240101_999. It may have been deleted.");
        await Expect(page.Locator("#cancel")).ToBeHiddenAsync();
    }
}
