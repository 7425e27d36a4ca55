using System.Collections.Frozen;
using System.Security.Cryptography;

namespace TransactionPipeline.AspNetCore.Dashboard;

/// <summary>One embedded file as it is served: its bytes, media type and the validator that names its content.</summary>
internal sealed record DashboardAsset(string Name, byte[] Content, string ContentType, string ETag, string Version);

/// <summary>The dashboard's files, read once from the assembly's embedded resources.</summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "Dashboard.";

    private readonly FrozenDictionary<string, DashboardAsset> _assets;

    private DashboardAssets(FrozenDictionary<string, DashboardAsset> assets) => _assets = assets;

    /// <summary>Gets the pages' templates, which are served rendered, never as they are stored.</summary>
    public static IReadOnlySet<string> Templates { get; } = new HashSet<string>(["jobs.html", "job.html"], StringComparer.Ordinal);

    /// <summary>Reads every embedded file of the dashboard.</summary>
    public static DashboardAssets Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[ResourcePrefix.Length..];
            assets[name] = Describe(name, copy.ToArray());
        }

        return new DashboardAssets(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Describes content: its media type from the name's extension, and a strong validator from its hash.</summary>
    public static DashboardAsset Describe(string name, byte[] content)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12));
        return new DashboardAsset(name, content, ContentTypeOf(name), $"\"{hash}\"", hash[..16]);
    }

    /// <summary>Finds a file that may be served as it is stored (a template is not one).</summary>
    public DashboardAsset? Find(string name) =>
        !Templates.Contains(name) && _assets.TryGetValue(name, out var asset) ? asset : null;

    /// <summary>Gets a page's template, whatever its name.</summary>
    public DashboardAsset Template(string name) => _assets[name];

    /// <summary>Gets every file but the templates.</summary>
    public IEnumerable<DashboardAsset> Served => _assets.Values.Where(a => !Templates.Contains(a.Name));

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
