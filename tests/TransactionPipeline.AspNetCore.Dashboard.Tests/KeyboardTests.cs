using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>The dashboard with the keyboard alone, and the names a screen reader announces.</summary>
[Collection(SharesBrowser.Name)]
public sealed class KeyboardTests(Browser browser)
{
    [ChromiumFact]
    public async Task Dashboard_KeyboardOnly_ReachesAJobOpensItAndDismissesTheDeleteDialogWithEscape()
    {
        await using var server = await DashboardServer.StartAsync();
        var completed = await server.SubmitCompletedAsync();
        var page = await browser.OpenAsync(server);
        await page.GotoAsync("/pipeline/");
        await Expect(page.Locator($"#jobs tbody tr[data-job-id='{completed}']")).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator(":focus")).ToHaveTextAsync("Skip to the jobs");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Status")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = completed })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = completed, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#delete")).ToBeVisibleAsync();
        await page.Locator("#delete").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete this job?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Keep the job" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");

        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.Locator("#delete")).ToBeFocusedAsync();
        (await server.Client.GetAsync($"/api/jobs/{completed}/status/")).StatusCode.Should().Be(HttpStatusCode.OK, "Escape keeps the job");
        foreach (var name in new[] { "Stages", "Progress", "Events", "Offers" })
        {
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true })).ToBeVisibleAsync();
        }

        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Daily total amount, revenue and credit score" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" })).ToBeVisibleAsync();
    }
}
