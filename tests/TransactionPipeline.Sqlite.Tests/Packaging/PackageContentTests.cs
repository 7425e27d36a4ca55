using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace TransactionPipeline.Sqlite.Tests.Packaging;

/// <summary>What a publisher's feed and a package browser show of each package, and what a debugger finds in it.</summary>
[Collection(SharesPackedPackages.Name)]
public sealed class PackageContentTests(PackedPackages packages)
{
    public static TheoryData<string> Packages() =>
    [
        "TransactionPipeline", "TransactionPipeline.Sqlite", "TransactionPipeline.PostgreSql", "TransactionPipeline.Hosting",
        "TransactionPipeline.AspNetCore", "TransactionPipeline.AspNetCore.Dashboard", "TransactionPipeline.Client", "TransactionPipeline.Testing",
    ];

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_Nuspec_HasLicenceIconReadmeCopyrightTagsAndReleaseNotes(string id)
    {
        using var package = ZipFile.OpenRead(Path.Combine(packages.Feed, $"{id}.{PackedPackages.Version}.nupkg"));
        var nuspec = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open());
        string Field(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? string.Empty;

        Field("license").Should().Be("MIT");
        Field("icon").Should().Be("icon.png");
        Field("readme").Should().Be("README.md");
        Field("authors").Should().NotBeEmpty();
        Field("copyright").Should().StartWith("Copyright (c)");
        Field("tags").Should().Contain("transactions");
        Field("releaseNotes").Should().Contain("CHANGELOG");
        Field("description").Should().NotBeEmpty();
        package.Entries.Select(e => e.FullName).Should().Contain(["icon.png", "LICENSE", "README.md", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml"]);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_Assembly_IsDeterministicWithSourcePathsMappedInItsSymbols(string id)
    {
        using var package = ZipFile.OpenRead(Path.Combine(packages.Feed, $"{id}.{PackedPackages.Version}.nupkg"));
        using var symbols = ZipFile.OpenRead(Path.Combine(packages.Feed, $"{id}.{PackedPackages.Version}.snupkg"));
        using var assembly = new PEReader(Copy(package, $"lib/net10.0/{id}.dll"));
        using var pdb = MetadataReaderProvider.FromPortablePdbStream(Copy(symbols, $"lib/net10.0/{id}.pdb"));
        var reader = pdb.GetMetadataReader();

        assembly.ReadDebugDirectory().Select(e => e.Type).Should().Contain(DebugDirectoryEntryType.Reproducible, "a deterministic build says so");
        var documents = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).ToList();
        documents.Should().NotBeEmpty().And.OnlyContain(
            path => path.StartsWith("/_/", StringComparison.Ordinal) || !Path.IsPathRooted(path),
            "a CI build maps the build machine's paths away (ContinuousIntegrationBuild)");
    }

    private static MemoryStream Copy(ZipArchive archive, string entry)
    {
        var copy = new MemoryStream();
        using (var source = archive.GetEntry(entry)!.Open())
        {
            source.CopyTo(copy);
        }

        copy.Position = 0;
        return copy;
    }
}
