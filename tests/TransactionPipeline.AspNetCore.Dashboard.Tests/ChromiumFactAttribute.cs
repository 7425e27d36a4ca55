namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>A test that drives the system Chromium; skipped, saying why, on a machine without it.</summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(Browser.ChromiumPath))
        {
            Skip = $"The system Chromium ({Browser.ChromiumPath}) is not installed; install Debian's chromium package to run the browser tests.";
        }
    }
}
