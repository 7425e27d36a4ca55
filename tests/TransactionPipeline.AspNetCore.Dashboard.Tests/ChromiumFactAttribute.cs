namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>
/// A test that drives the system Chromium; skipped, saying why, on a machine without it, except where the test run
/// promises every tool (<c>PIPELINE_REQUIRE_TOOLS</c>, set by the CI script after it installs them): there it fails.
/// </summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(Browser.ChromiumPath) && Environment.GetEnvironmentVariable("PIPELINE_REQUIRE_TOOLS") is null)
        {
            Skip = $"The system Chromium ({Browser.ChromiumPath}) is not installed; install Debian's chromium package to run the browser tests.";
        }
    }
}
