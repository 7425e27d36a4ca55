using Microsoft.Playwright;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>
/// Screenshots the tests take: into the repository's docs/dashboard/ when PIPELINE_UPDATE_SCREENSHOTS is 1 (how the
/// documentation's pictures are made), into a temporary folder otherwise, so that a test run leaves the tree as it was.
/// </summary>
internal static class Screenshots
{
    private static readonly bool ForDocumentation = Environment.GetEnvironmentVariable("PIPELINE_UPDATE_SCREENSHOTS") == "1";

    private static readonly string Folder = ForDocumentation
        ? Path.Combine(FindRepository(), "docs", "dashboard")
        : Directory.CreateTempSubdirectory("txp-dashboard-screenshots-").FullName;

    static Screenshots()
    {
        if (!ForDocumentation)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(Folder, recursive: true);
        }
    }

    /// <summary>Takes the whole page and answers the file, which is a PNG.</summary>
    public static async Task<FileInfo> TakeAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        var file = new FileInfo(path);
        using (var stream = file.OpenRead())
        {
            var header = new byte[8];
            stream.ReadExactly(header);
            header.Should().Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], "a screenshot is a PNG");
        }

        return file;
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository: no Pipeline.sln above " + AppContext.BaseDirectory);
    }
}
