using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TransactionPipeline.Tests.Shared;
using static Microsoft.Playwright.Assertions;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>The jobs page in the system Chromium, over real Kestrel and a SQLite store.</summary>
[Collection(SharesBrowser.Name)]
public sealed class JobsPageTests(Browser browser)
{
    [ChromiumFact]
    public async Task JobsPage_CompletedFailedAndRunningJobs_ListsEachAndTheRunningRowsRiseWithoutAReload()
    {
        await using var server = await DashboardServer.StartAsync();
        var completed = await server.SubmitCompletedAsync(days: 12);
        await server.SubmitCompletedAsync(days: 3);
        var failed = await server.SubmitAsync(Bodies.Invalid, HttpStatusCode.BadRequest);
        await using var upload = await SlowUpload.StartAsync(server);
        var page = await browser.OpenAsync(server);

        await page.GotoAsync("/pipeline/");

        await Expect(Row(page, completed).Locator(".status")).ToHaveTextAsync("Complete");
        await Expect(Row(page, completed).Locator(".stage")).ToHaveTextAsync("Completed");
        await Expect(Row(page, completed).Locator(".rows")).ToHaveTextAsync("24");
        await Expect(Row(page, failed).Locator(".status")).ToHaveTextAsync("Failed");
        await Expect(Row(page, failed).Locator(".error")).ToHaveTextAsync("invalid_input");
        await Expect(Row(page, upload.JobId).Locator(".status")).ToHaveTextAsync("In progress");
        await Expect(Row(page, upload.JobId).Locator(".stage")).ToHaveTextAsync("Import");
        await Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(4);
        (await page.Locator("#jobs tbody tr").First.GetAttributeAsync("data-job-id")).Should().Be(upload.JobId, "newest first");

        // A mark on the window survives only if the page is never loaded again.
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        var rows = Row(page, upload.JobId).Locator(".rows");
        var before = await Polling.WaitUntilAsync(async () => Browser.Number(await rows.TextContentAsync()), n => n > 0, DashboardServer.Timeout);
        before.Should().BeGreaterThan(0, "the page shows the rows imported before the upload paused");
        upload.Resume();
        var after = await Polling.WaitUntilAsync(
            async () => Browser.Number(await rows.TextContentAsync()), n => n > before, DashboardServer.Timeout);

        after.Should().BeGreaterThan(before, "the running job's rows rise on screen while the page stays open");
        (await page.EvaluateAsync<bool>("() => window.notReloaded === true")).Should().BeTrue("the rows rose without a reload");
        await Screenshots.TakeAsync(page, "jobs.png");

        await page.GetByLabel("Status").SelectOptionAsync("FAILED");

        await Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(1);
        await Expect(Row(page, failed)).ToBeVisibleAsync();
        page.Url.Should().Contain("status=FAILED");

        var phone = await browser.OpenAsync(server, width: 390, height: 844);
        await phone.GotoAsync("/pipeline/");
        await Expect(Row(phone, completed).Locator(".status")).ToHaveTextAsync("Complete");
        (await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"))
            .Should().BeTrue("on a phone the jobs fit the screen's width, one card each, with no sideways scrolling");
        await Screenshots.TakeAsync(phone, "jobs-phone.png");
    }

    [ChromiumFact]
    public async Task JobsPage_TenThousandJobs_ReadsOnePageAtATimeAndPagesByCursor()
    {
        await using var server = await DashboardServer.StartAsync(options: o => o.PageSize = 25);
        var ids = await SeedAsync(server.Services.GetRequiredService<IJobStore>(), 10_000);
        var page = await browser.OpenAsync(server);
        var lists = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/jobs/?", StringComparison.Ordinal))
            {
                lists.Add(request.Url);
            }
        };

        var clock = Stopwatch.StartNew();
        await page.GotoAsync("/pipeline/");
        await Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(25);
        var firstPage = clock.Elapsed;

        (await page.Locator("#jobs tbody tr").First.GetAttributeAsync("data-job-id")).Should().Be(ids[^1], "the newest job comes first");
        for (var i = 0; i < 3; i++)
        {
            var top = await page.Locator("#jobs tbody tr").First.GetAttributeAsync("data-job-id");
            await page.GetByRole(AriaRole.Button, new() { Name = "Older" }).ClickAsync();
            await Expect(page.Locator("#jobs tbody tr").First).Not.ToHaveAttributeAsync("data-job-id", top!);
        }

        await Expect(page.Locator("#page")).ToHaveTextAsync("Page 4");
        await Expect(page.Locator("#jobs tbody tr")).ToHaveCountAsync(25);
        (await page.Locator("#jobs tbody tr").First.GetAttributeAsync("data-job-id")).Should().Be(ids[^76], "page 4 starts after 75 jobs");
        await page.GetByRole(AriaRole.Button, new() { Name = "Newer" }).ClickAsync();
        await Expect(page.Locator("#page")).ToHaveTextAsync("Page 3");
        await Expect(page.Locator("#jobs tbody tr").First).ToHaveAttributeAsync("data-job-id", ids[^51]);

        firstPage.Should().BeLessThan(TimeSpan.FromSeconds(10), "the first page comes from one bounded read, whatever the store holds");
        lists.Should().NotBeEmpty().And.OnlyContain(url => url.Contains("limit=25", StringComparison.Ordinal), "every read asks for one page, never all jobs");
        (await page.EvaluateAsync<int>("() => document.querySelectorAll('#jobs tbody tr').length")).Should().Be(25);
    }

    private static ILocator Row(IPage page, string jobId) => page.Locator($"#jobs tbody tr[data-job-id='{jobId}']");

    /// <summary>Stores finished jobs directly, one second apart, oldest first; answers their ids in that order.</summary>
    private static async Task<string[]> SeedAsync(IJobStore store, int count)
    {
        var start = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            var created = start.AddSeconds(i);
            ids[i] = $"pipeline_20240301_{i + 1:00000}";
            var status = new JobStatus
            {
                JobId = ids[i],
                State = JobState.JobComplete,
                Stage = PipelineStage.Completed,
                Progress = new JobProgress(1_000 + i, 100_000 + i, 100_000 + i, 3, 3),
                CreatedAt = created,
                UpdatedAt = created.AddSeconds(2),
                CompletedAt = created.AddSeconds(2),
            };
            await store.CreateAsync(new NewJob(status, "seed", JobEventTypes.JobComplete), CancellationToken.None);
        }

        return ids;
    }
}
