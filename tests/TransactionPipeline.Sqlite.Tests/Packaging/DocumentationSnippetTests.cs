using System.Text.RegularExpressions;

namespace TransactionPipeline.Sqlite.Tests.Packaging;

/// <summary>
/// Every C# snippet of the README, docs/ and the package READMEs, pasted into a new project of its own outside the
/// repository, with only the packages its marker names, taken from the packed packages: all of them build.
/// </summary>
[Collection(SharesPackedPackages.Name)]
public sealed partial class DocumentationSnippetTests(PackedPackages packages)
{
    [Fact]
    public void EveryCSharpBlock_OfTheDocumentation_HasAMarkerWithAUniqueName()
    {
        var snippets = DocumentationSnippet.FindAll(packages.Repository);

        snippets.Should().HaveCountGreaterThanOrEqualTo(18, "the README, docs/ and the package READMEs hold that many");
        snippets.Where(s => s.Name is null).Select(s => s.Source).Should().BeEmpty(
            "every C# block says how it is pasted: <!-- snippet: NAME | packages: A, B | sdk: console|web|library --> on the line before");
        snippets.GroupBy(s => s.Name).Where(g => g.Count() > 1).Select(g => g.Key).Should().BeEmpty();
    }

    [Fact]
    public async Task EverySnippet_InANewProjectOnThePackedPackages_Builds()
    {
        var snippets = DocumentationSnippet.FindAll(packages.Repository).Where(s => s.Name is not null).ToList();
        var root = Path.Combine(packages.Folder, "snippets");
        Directory.CreateDirectory(root);
        foreach (var snippet in snippets)
        {
            var project = Path.Combine(root, snippet.Name);
            Directory.CreateDirectory(project);
            await File.WriteAllTextAsync(Path.Combine(project, snippet.Sdk == "library" ? "Snippet.cs" : "Program.cs"), snippet.Code);
            await File.WriteAllTextAsync(Path.Combine(project, $"{snippet.Name}.csproj"), packages.ProjectFile(snippet.Sdk, snippet.Packages));
        }

        await File.WriteAllTextAsync(Path.Combine(root, "nuget.config"), packages.NuGetConfig());
        await File.WriteAllTextAsync(
            Path.Combine(root, "Snippets.slnx"),
            $"<Solution>{string.Concat(snippets.Select(s => $"<Project Path=\"{s.Name}/{s.Name}.csproj\" />"))}</Solution>");

        // One build of all of them: one restore, the projects compiled side by side.
        var (exit, output) = await PackedPackages.RunAsync("dotnet", root, "build", "Snippets.slnx", "-nologo", "-clp:ErrorsOnly");

        var failing = ErrorLine().Matches(output)
            .Select(m => (Snippet: snippets.Single(s => s.Name == m.Groups["name"].Value), Error: m.Groups["error"].Value))
            .Distinct()
            .Select(f => $"{f.Snippet.Name} ({f.Snippet.Source}): {f.Error}")
            .ToList();
        failing.Should().BeEmpty(string.Join(Environment.NewLine, failing));
        exit.Should().Be(0, output);
    }

    [GeneratedRegex(@"[\\/]snippets[\\/](?<name>[a-z0-9-]+)[\\/][^:(]+\(\d+,\d+\): error (?<error>[^\[\r\n]+)")]
    private static partial Regex ErrorLine();
}
