using System.Diagnostics;

namespace TransactionPipeline.AspNetCore.Tests.Samples;

/// <summary>tus-js-client from the npm registry, installed once per machine into a temporary folder, run with Node.</summary>
internal static class TusJsClient
{
    public const string Version = "4.3.1";

    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>Why the client cannot run here, or <see langword="null"/> when Node and npm are on the path.</summary>
    public static string? MissingTools { get; } = OnPath("node") && OnPath("npm")
        ? null
        : "Node.js and npm are not on the PATH, so tus-js-client cannot run; .ci/services.sh installs them from Debian's packages.";

    /// <summary>Installs the client (once) and returns the folder whose node_modules holds it.</summary>
    public static async Task<string> InstallAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"txp-tus-js-client-{Version}");
        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(folder, "node_modules", "tus-js-client", "package.json")))
            {
                Directory.CreateDirectory(folder);
                var (code, output, errors) = await RunAsync(folder, "npm", "install", "--no-audit", "--no-fund", "--no-save", $"tus-js-client@{Version}");
                code.Should().Be(0, $"npm installs tus-js-client@{Version} from the registry: {output}{errors}");
            }

            return folder;
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>Uploads <paramref name="file"/> to <paramref name="endpoint"/>; returns the script's exit code, its output and its errors.</summary>
    public static async Task<(int Code, string Output, string Errors)> UploadAsync(string folder, Uri endpoint, string file)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Samples", "tus-upload.js");
        return await RunAsync(folder, "node", script, endpoint.ToString(), file);
    }

    private static async Task<(int Code, string Output, string Errors)> RunAsync(string folder, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The script is outside the folder: Node finds the package through NODE_PATH.
        start.Environment["NODE_PATH"] = Path.Combine(folder, "node_modules");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran for 3 minutes: {await errors}");
        }

        return (process.ExitCode, await output, await errors);
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, program)));
}

/// <summary>
/// A fact that runs tus-js-client: skipped, with the reason, where Node.js or npm is missing, except where the test run
/// promises every tool (<c>PIPELINE_REQUIRE_TOOLS</c>, set by the CI script after it installs them): there it fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TusJsClientFactAttribute : FactAttribute
{
    public TusJsClientFactAttribute() =>
        Skip = Environment.GetEnvironmentVariable("PIPELINE_REQUIRE_TOOLS") is null ? TusJsClient.MissingTools : null;
}
