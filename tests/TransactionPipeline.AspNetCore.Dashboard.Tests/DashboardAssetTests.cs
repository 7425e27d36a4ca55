using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>What the dashboard serves and how: embedded files with validators and caching, pages that load nothing from elsewhere.</summary>
public sealed partial class DashboardAssetTests
{
    [Fact]
    public async Task Pages_EveryReferencedFile_IsTheDashboardsOwnAndServedVersionedImmutableWithAnETag()
    {
        await using var server = await DashboardServer.StartAsync();

        foreach (var pagePath in new[] { "/pipeline/", "/pipeline/jobs/pipeline_20240101_001" })
        {
            using var page = await server.Client.GetAsync(pagePath);
            page.StatusCode.Should().Be(HttpStatusCode.OK);
            page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
            page.Headers.CacheControl!.NoCache.Should().BeTrue("a page names the current files, so it is revalidated each time");
            page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'").And.Contain("script-src 'self'");
            var html = await page.Content.ReadAsStringAsync();
            var references = Reference().Matches(html).Select(m => m.Groups["url"].Value)
                .Where(url => !url.StartsWith('#')).ToList();

            references.Should().HaveCountGreaterThanOrEqualTo(4).And.OnlyContain(
                url => url.StartsWith("/pipeline/", StringComparison.Ordinal), "everything comes from the dashboard itself, nothing from another site");
            Inline().IsMatch(html).Should().BeFalse("no inline script or style, which the page's policy forbids");
            foreach (var url in references.Where(u => u.Contains("/assets/", StringComparison.Ordinal)))
            {
                using var asset = await server.Client.GetAsync(url);
                asset.StatusCode.Should().Be(HttpStatusCode.OK, url);
                asset.Headers.CacheControl!.ToString().Should().Be("public, max-age=31536000, immutable", url);
                asset.Headers.ETag.Should().NotBeNull(url);
                asset.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
            }
        }
    }

    [Fact]
    public async Task Asset_IfNoneMatchItsETag_304WithoutABody_AndWithoutTheVersion_MustRevalidate()
    {
        await using var server = await DashboardServer.StartAsync();
        using var first = await server.Client.GetAsync("/pipeline/assets/dashboard.css");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/pipeline/assets/dashboard.css");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var revalidated = await server.Client.SendAsync(again);

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        first.Content.Headers.ContentType!.ToString().Should().Be("text/css; charset=utf-8");
        first.Headers.CacheControl!.NoCache.Should().BeTrue("an unversioned address may name another content tomorrow");
        revalidated.StatusCode.Should().Be(HttpStatusCode.NotModified);
        (await revalidated.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        revalidated.Headers.ETag.Should().Be(first.Headers.ETag);
    }

    [Theory]
    [InlineData("/pipeline/assets/jobs.html")]
    [InlineData("/pipeline/assets/missing.js")]
    public async Task Asset_TemplateOrUnknownName_404(string path)
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Page_JobIdWithMarkup_IsEncodedIntoThePage()
    {
        await using var server = await DashboardServer.StartAsync();

        var html = await server.Client.GetStringAsync("/pipeline/jobs/%3Cscript%3Ealert(1)%3C%2Fscript%3E");

        html.Should().NotContain("<script>alert(1)</script>").And.Contain("&lt;script&gt;");
    }

    [Fact]
    public async Task DailyTotals_CompletedJob_AnswersEachDaysTotalsWithItsScore()
    {
        await using var server = await DashboardServer.StartAsync();
        var id = await server.SubmitCompletedAsync(days: 2);
        var offers = await server.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/offers/");

        var daily = await server.Client.GetFromJsonAsync<JsonElement>($"/pipeline/data/jobs/{id}/daily");

        var days = daily.GetProperty("days").EnumerateArray().ToList();
        days.Select(d => d.GetProperty("date").GetString()).Should().Equal("2024-01-01", "2024-01-02");
        days[0].GetProperty("total_amount").GetDecimal().Should().Be(1000.00m - 200.50m);
        days[0].GetProperty("revenue_amount").GetDecimal().Should().Be(1000.00m);
        days[1].GetProperty("total_amount").GetDecimal().Should().Be(1250.00m - 240.50m);
        days[0].GetProperty("transaction_count").GetInt64().Should().Be(2);
        days[0].GetProperty("credit_score").GetInt32().Should().Be(offers.GetProperty("offers")[0].GetProperty("credit_score").GetInt32());
        days[0].GetProperty("risk_level").GetString().Should().Be(offers.GetProperty("offers")[0].GetProperty("risk_level").GetString());
    }

    [Fact]
    public async Task DailyTotals_FailedOrUnknownJob_409Or404()
    {
        await using var server = await DashboardServer.StartAsync();
        var failed = await server.SubmitAsync(Bodies.Invalid, HttpStatusCode.BadRequest);

        using var ofFailed = await server.Client.GetAsync($"/pipeline/data/jobs/{failed}/daily");
        using var ofUnknown = await server.Client.GetAsync("/pipeline/data/jobs/pipeline_20240101_999/daily");

        ofFailed.StatusCode.Should().Be(HttpStatusCode.Conflict);
        ofUnknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Page_WithoutTheHttpApi_500NamingMapTransactionPipeline()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddTransactionPipeline().UseSqlite(DashboardServer.NewDatabase()).AddHttpAdapter();
        await using var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapTransactionPipelineDashboard();
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var response = await client.GetAsync("/pipeline/");

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).Should().Contain("app.MapTransactionPipeline()");
        await app.StopAsync();
    }

    [Fact]
    public void Map_BadPatternOrOption_ThrowsNamingIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddTransactionPipeline().UseSqlite(DashboardServer.NewDatabase()).AddHttpAdapter();
        var app = builder.Build();

        FluentActions.Invoking(() => app.MapTransactionPipelineDashboard("pipeline")).Should().Throw<ArgumentException>().WithMessage("*must start with '/'*");
        FluentActions.Invoking(() => app.MapTransactionPipelineDashboard(configure: o => o.PageSize = 0))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("PageSize is 0*");
        FluentActions.Invoking(() => app.MapTransactionPipelineDashboard(configure: o => o.RefreshInterval = TimeSpan.FromMilliseconds(10)))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("RefreshInterval is*");
        FluentActions.Invoking(() => WebApplication.CreateSlimBuilder().Build().MapTransactionPipelineDashboard())
            .Should().Throw<InvalidOperationException>().WithMessage("*AddTransactionPipeline()*");
    }

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]+)\"")]
    private static partial Regex Reference();

    [GeneratedRegex("""<script>|<style|style="|\son[a-z]+=""")]
    private static partial Regex Inline();
}
