using System.Globalization;
using Microsoft.Playwright;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>One headless system Chromium for all browser tests, driven by Playwright; each test opens its own context.</summary>
public sealed class Browser : IAsyncLifetime
{
    /// <summary>Where Debian's chromium package puts the browser.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
        Assertions.SetDefaultExpectTimeout((float)DashboardServer.Timeout.TotalMilliseconds);
    }

    /// <summary>Opens a page on the server, laptop-sized unless told, in English and UTC so that numbers and times read the same everywhere.</summary>
    internal async Task<IPage> OpenAsync(DashboardServer server, int width = 1280, int height = 900)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.Address.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout((float)DashboardServer.Timeout.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    /// <summary>The number a cell shows, such as "1,234".</summary>
    internal static long Number(string? text) => long.Parse(text!.Replace(",", string.Empty, StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SharesBrowser : ICollectionFixture<Browser>
{
    public const string Name = "Browser";
}
