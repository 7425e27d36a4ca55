using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TransactionPipeline.Tests.Pipeline;

namespace TransactionPipeline.Tests.Jobs;

/// <summary>What an operator reads in the host's log for each job.</summary>
public sealed class LifecycleLogTests
{
    [Fact]
    public async Task RunAsync_GoodAndBadJobs_LogTheirLifecycleAndOneErrorLineWithKindItemAndOffset()
    {
        var log = new CapturingLoggerFactory();
        await using var fixture = new PipelineFixture(configure: b => b.Services.AddSingleton<ILoggerFactory>(log));

        var good = await fixture.RunAsync(TestData.Body(TestData.Item("10.00", "2024-01-15", true)));
        var bad = await fixture.RunAsync(TestData.Body(TestData.Item("1.00", "2024-01-15", true), TestData.Item("1.001", "2024-01-16", true)));

        var goodLines = log.Lines.Where(l => l.Message.Contains(good.JobId, StringComparison.Ordinal)).ToList();
        goodLines.Where(l => l.Level == LogLevel.Information).Select(l => l.EventId).Should().Equal(100, 108, 109);
        goodLines.Where(l => l.Level == LogLevel.Debug).Select(l => (l.EventId, Stage: l.Message.Split(' ')[3])).Should().Equal(
            (110, "aggregate"), (110, "credit_model"), (110, "offers"), (110, "results"));
        goodLines.Single(l => l.EventId == 109).Message.Should().Contain("1 transactions, 1 aggregates, 1 offers in");
        var errors = log.Lines.Where(l => l.Level == LogLevel.Error && l.Message.Contains(bad.JobId, StringComparison.Ordinal)).ToList();
        errors.Should().ContainSingle();
        errors[0].EventId.Should().Be(101);
        errors[0].Message.Should().Contain("InvalidInput").And.Contain("at item 1").And.Contain($"byte offset {bad.Error!.ByteOffset}");
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerFactory owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
        }
    }
}
