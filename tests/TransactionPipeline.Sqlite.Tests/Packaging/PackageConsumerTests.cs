using System.Text.RegularExpressions;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.Sqlite.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: consumed by a new console project outside the repository (none of its props
/// files apply), with the README's snippet as its whole program, running a 5 MB job.
/// </summary>
[Collection(SharesPackedPackages.Name)]
public sealed partial class PackageConsumerTests(PackedPackages packages)
{
    [Fact]
    public void Pack_EveryPackageOfTheRepository_IsInTheFeed()
    {
        Directory.GetFiles(packages.Feed, "*.nupkg").Select(Path.GetFileName).Should().Contain(
            ["TransactionPipeline.0.1.0.nupkg", "TransactionPipeline.Sqlite.0.1.0.nupkg", "TransactionPipeline.PostgreSql.0.1.0.nupkg",
             "TransactionPipeline.Hosting.0.1.0.nupkg", "TransactionPipeline.AspNetCore.0.1.0.nupkg", "TransactionPipeline.Client.0.1.0.nupkg",
             "TransactionPipeline.AspNetCore.Dashboard.0.1.0.nupkg", "TransactionPipeline.Testing.0.1.0.nupkg"]);
    }

    [Fact]
    public async Task ReadmeSnippet_InANewProjectOnThePackedPackages_BuildsAndRunsAJobToOffers()
    {
        var snippet = DocumentationSnippet.FindAll(packages.Repository).Single(s => s.Name == "console-host");
        var app = Path.Combine(packages.Folder, "console-host-run");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), snippet.Code);
        await File.WriteAllTextAsync(Path.Combine(app, "Consumer.csproj"), packages.ProjectFile(snippet.Sdk, snippet.Packages));
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), packages.NuGetConfig());
        var (generated, generateOutput) = await SampleProcess.RunAsync(
            "QuickStart", ["generate", Path.Combine(app, "transactions.json"), "--size", "5MB", "--days", "40"], PackedPackages.Patience);
        generated.Should().Be(0, generateOutput);

        var (exit, output) = await PackedPackages.RunAsync("dotnet", app, "run", "--project", Path.Combine(app, "Consumer.csproj"));

        exit.Should().Be(0, output);
        var line = OutputLine().Match(output);
        line.Success.Should().BeTrue(output);
        line.Groups["state"].Value.Should().Be("JobComplete");
        int.Parse(line.Groups["offers"].Value).Should().Be(30, "the default date range keeps the last 30 days, each with an offer");
    }

    [GeneratedRegex(@"pipeline_\d{8}_\d{3,}: (?<state>\w+), (?<offers>\d+) offers")]
    private static partial Regex OutputLine();
}
