using System.Text.RegularExpressions;

namespace TransactionPipeline.Sqlite.Tests.Packaging;

/// <summary>
/// A C# code block of the documentation, with the marker before it that says how a user would paste it:
/// <c>&lt;!-- snippet: NAME | packages: A, B | sdk: console|web|library --&gt;</c>.
/// </summary>
/// <param name="Name">The snippet's name, unique across the documentation.</param>
/// <param name="Source">The markdown file and line of the block.</param>
/// <param name="Packages">The packages the text around the snippet names.</param>
/// <param name="Sdk"><c>console</c> or <c>web</c> (the code is <c>Program.cs</c>), or <c>library</c> (a class library).</param>
/// <param name="Code">The code as a user copies it.</param>
internal sealed partial record DocumentationSnippet(string Name, string Source, IReadOnlyList<string> Packages, string Sdk, string Code)
{
    /// <summary>Every markdown file a user reads: the README, docs/ and the package READMEs.</summary>
    public static IEnumerable<string> MarkdownFiles(string repository) =>
        new[] { Path.Combine(repository, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(repository, "docs"), "*.md", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(Path.Combine(repository, "src"), "README.md", SearchOption.AllDirectories))
            .Concat(Directory.GetFiles(Path.Combine(repository, "samples"), "README.md", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);

    /// <summary>Every C# block of <see cref="MarkdownFiles"/>; a block without a marker has the name <see langword="null"/>.</summary>
    public static IReadOnlyList<DocumentationSnippet> FindAll(string repository)
    {
        var snippets = new List<DocumentationSnippet>();
        foreach (var file in MarkdownFiles(repository))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var fence = Fence().Match(lines[i]);
                if (!fence.Success)
                {
                    continue;
                }

                var indent = fence.Groups["indent"].Value.Length;
                var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
                var code = string.Join('\n', lines[(i + 1)..end].Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())) + "\n";
                var source = $"{Path.GetRelativePath(repository, file)}:{i + 1}";
                var marker = i > 0 ? Marker().Match(lines[i - 1]) : Match.Empty;
                snippets.Add(marker.Success
                    ? new DocumentationSnippet(
                        marker.Groups["name"].Value,
                        source,
                        marker.Groups["packages"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                        marker.Groups["sdk"].Value,
                        code)
                    : new DocumentationSnippet(null!, source, [], string.Empty, code));
                i = end;
            }
        }

        return snippets;
    }

    [GeneratedRegex(@"^(?<indent>\s*)```(csharp|cs|c#)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*<!-- snippet: (?<name>[a-z0-9-]+) \| packages:(?<packages>[^|]*)\| sdk: (?<sdk>console|web|library) -->\s*$")]
    private static partial Regex Marker();
}
