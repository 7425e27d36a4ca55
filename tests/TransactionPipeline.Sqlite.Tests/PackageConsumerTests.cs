using System.Diagnostics;
using System.Text.RegularExpressions;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>
/// The packages as a user gets them: packed from this repository, consumed by a new console project outside it (none
/// of the repository's props files apply), with the README's snippet as its whole program, running a 5 MB job.
/// </summary>
public sealed partial class PackageConsumerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(8);
    private readonly string _folder = Directory.CreateTempSubdirectory("txp-consumer-").FullName;

    [Fact]
    public async Task ReadmeSnippet_InANewProjectOnThePackedPackages_BuildsAndRunsAJobToOffers()
    {
        var repository = FindRepository();
        var feed = Path.Combine(_folder, "feed");
        // Every package packs, with package validation on; the app then takes the ones the README names.
        foreach (var project in Directory.GetDirectories(Path.Combine(repository, "src"), "TransactionPipeline*").Select(Path.GetFileName))
        {
            var (packed, packOutput) = await RunAsync("dotnet", repository, "pack", Path.Combine(repository, "src", project!), "-c", "Release", "-o", feed);
            packed.Should().Be(0, packOutput);
        }

        Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Should().Contain(
            ["TransactionPipeline.0.1.0.nupkg", "TransactionPipeline.Sqlite.0.1.0.nupkg", "TransactionPipeline.PostgreSql.0.1.0.nupkg",
             "TransactionPipeline.Hosting.0.1.0.nupkg", "TransactionPipeline.AspNetCore.0.1.0.nupkg", "TransactionPipeline.Client.0.1.0.nupkg",
             "TransactionPipeline.Testing.0.1.0.nupkg"]);
        var app = Path.Combine(_folder, "app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ReadmeSnippet(repository, "console-host"));
        await File.WriteAllTextAsync(Path.Combine(app, "Consumer.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TransactionPipeline.Sqlite" Version="0.1.0" />
                <PackageReference Include="TransactionPipeline.Hosting" Version="0.1.0" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), NuGetConfig(feed));
        var (generated, generateOutput) = await SampleProcess.RunAsync("QuickStart", ["generate", Path.Combine(app, "transactions.json"), "--size", "5MB", "--days", "40"], Patience);
        generated.Should().Be(0, generateOutput);

        var (exit, output) = await RunAsync("dotnet", app, "run", "--project", Path.Combine(app, "Consumer.csproj"));

        exit.Should().Be(0, output);
        var line = OutputLine().Match(output);
        line.Success.Should().BeTrue(output);
        line.Groups["state"].Value.Should().Be("JobComplete");
        int.Parse(line.Groups["offers"].Value).Should().Be(30, "the default date range keeps the last 30 days, each with an offer");
    }

    [Fact]
    public async Task ReadmeWebSnippet_InANewWebProjectOnThePackedPackages_Builds()
    {
        var repository = FindRepository();
        var feed = Path.Combine(_folder, "feed");
        foreach (var project in new[] { "TransactionPipeline", "TransactionPipeline.Sqlite", "TransactionPipeline.Hosting", "TransactionPipeline.AspNetCore" })
        {
            var (packed, packOutput) = await RunAsync("dotnet", repository, "pack", Path.Combine(repository, "src", project), "-c", "Release", "-o", feed);
            packed.Should().Be(0, packOutput);
        }

        var app = Path.Combine(_folder, "web");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ReadmeSnippet(repository, "web-host"));
        await File.WriteAllTextAsync(Path.Combine(app, "Web.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TransactionPipeline.AspNetCore" Version="0.1.0" />
                <PackageReference Include="TransactionPipeline.Sqlite" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), NuGetConfig(feed));

        var (exit, output) = await RunAsync("dotnet", app, "build", Path.Combine(app, "Web.csproj"));

        exit.Should().Be(0, output);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string NuGetConfig(string feed) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="local" value="{feed}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
          <config><add key="globalPackagesFolder" value="{Path.Combine(_folder, "packages")}" /></config>
        </configuration>
        """;

    /// <summary>The code block that follows <c>&lt;!-- snippet: NAME</c> in the README.</summary>
    internal static string ReadmeSnippet(string repository, string name)
    {
        var readme = File.ReadAllText(Path.Combine(repository, "README.md"));
        var marker = readme.IndexOf($"<!-- snippet: {name}", StringComparison.Ordinal);
        marker.Should().BeGreaterThan(0, $"the README marks the snippet {name}");
        var start = readme.IndexOf("```csharp\n", marker, StringComparison.Ordinal) + "```csharp\n".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    internal static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Pipeline.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("The tests run outside the repository.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Patience);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"pipeline_\d{8}_\d{3,}: (?<state>\w+), (?<offers>\d+) offers")]
    private static partial Regex OutputLine();
}
