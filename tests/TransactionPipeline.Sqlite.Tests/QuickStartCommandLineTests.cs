using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>The quick-start sample's command line, as a user types it.</summary>
public sealed class QuickStartCommandLineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Help_ListsEveryCommandAndOption_AndSucceeds()
    {
        var (exit, output) = await SampleProcess.RunAsync("QuickStart", ["--help"], Patience);

        exit.Should().Be(0, output);
        output.Should().ContainAll("demo", "generate", "process", "resume", "--size", "--days", "--db", "--postgres", "--schema", "--hold-after-import");
    }

    [Theory]
    [InlineData("process", "--bogus")]
    [InlineData("generate", "--db")]
    [InlineData("resume", "--size")]
    public async Task AnyCommand_OptionItDoesNotTake_IsRefusedByName(string command, string option)
    {
        var (exit, output) = await SampleProcess.RunAsync("QuickStart", [command, "file.json", option, "x"], Patience);

        exit.Should().Be(2, output);
        output.Should().Contain($"Unknown option {option} for {command}");
    }
}
