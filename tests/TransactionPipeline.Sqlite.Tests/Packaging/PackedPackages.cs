using System.Diagnostics;
using System.Xml.Linq;

namespace TransactionPipeline.Sqlite.Tests.Packaging;

/// <summary>
/// The repository's packages as a publisher makes them: the folder <c>.ci/run</c> packed with
/// <c>dotnet pack -c Release -o DIR</c> (named by <c>PIPELINE_PACKAGES</c>), or, outside CI, each package under
/// <c>src/</c> packed here into a folder of the test's own. Package validation runs with every pack.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    /// <summary>The version every package of this repository has.</summary>
    public const string Version = "0.1.0";

    internal static readonly TimeSpan Patience = TimeSpan.FromMinutes(8);

    /// <summary>Gets the repository root.</summary>
    public string Repository { get; } = FindRepository();

    /// <summary>Gets a temporary folder for the consumer projects, removed at the end.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("txp-packages-").FullName;

    /// <summary>Gets the folder that holds the packed packages.</summary>
    public string Feed { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("PIPELINE_PACKAGES") is { Length: > 0 } packed)
        {
            Feed = packed;
            return;
        }

        Feed = Path.Combine(Folder, "feed");
        foreach (var project in Directory.GetDirectories(Path.Combine(Repository, "src"), "TransactionPipeline*"))
        {
            // Rebuilt, not incremental: the path map of a CI build is a compiler option, which an up-to-date check does not see.
            var (built, buildOutput) = await RunAsync(
                "dotnet", Repository, "build", project, "-c", "Release", "--no-incremental", "-p:ContinuousIntegrationBuild=true");
            built.Should().Be(0, buildOutput);
            var (exit, output) = await RunAsync(
                "dotnet", Repository, "pack", project, "-c", "Release", "--no-build", "-o", Feed, "-p:ContinuousIntegrationBuild=true");
            exit.Should().Be(0, output);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The version a consumer takes of a package: ours, or the one this repository pins centrally.</summary>
    public string VersionOf(string package)
    {
        if (package.StartsWith("TransactionPipeline", StringComparison.Ordinal))
        {
            return Version;
        }

        var pinned = XDocument.Load(Path.Combine(Repository, "Directory.Packages.props")).Descendants("PackageVersion")
            .FirstOrDefault(p => (string?)p.Attribute("Include") == package);
        pinned.Should().NotBeNull($"a snippet names {package}, which Directory.Packages.props does not pin");
        return (string)pinned!.Attribute("Version")!;
    }

    /// <summary>A nuget.config that finds the packed packages first and keeps the restore's packages in the test's folder.</summary>
    public string NuGetConfig() => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="local" value="{Feed}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
          <config><add key="globalPackagesFolder" value="{Path.Combine(Folder, "packages")}" /></config>
        </configuration>
        """;

    /// <summary>A project file outside the repository (none of its props files apply) referencing <paramref name="packages"/>.</summary>
    /// <param name="sdk"><c>console</c>, <c>web</c> or <c>library</c>.</param>
    /// <param name="packages">The packages, each at <see cref="VersionOf"/>.</param>
    public string ProjectFile(string sdk, IEnumerable<string> packages)
    {
        var references = string.Join(
            Environment.NewLine,
            packages.Select(p => $"""    <PackageReference Include="{p}" Version="{VersionOf(p)}" />"""));
        return $"""
            <Project Sdk="{(sdk == "web" ? "Microsoft.NET.Sdk.Web" : "Microsoft.NET.Sdk")}">
              <PropertyGroup>
                <OutputType>{(sdk == "library" ? "Library" : "Exe")}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """;
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

    internal static async Task<(int ExitCode, string Output)> RunAsync(string program, string folder, params string[] arguments)
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
}

/// <summary>The tests that consume the packed packages share one pack.</summary>
[CollectionDefinition(Name)]
public sealed class SharesPackedPackages : ICollectionFixture<PackedPackages>
{
    public const string Name = "packed packages";
}
