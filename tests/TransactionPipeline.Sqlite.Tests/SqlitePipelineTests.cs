using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>The whole pipeline on a real SQLite file: what a user sees after good and bad input.</summary>
public sealed class SqlitePipelineTests : IDisposable
{
    private const string Good = """{"amount": 10.10, "date": "2024-01-01", "is_revenue": true, "description": "ok"}""";
    private readonly SqliteTestDatabase _database = new();
    private readonly ServiceProvider _services;

    public SqlitePipelineTests()
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline(o => o.ImportBatchSize = 7).UseSqlite(_database.ConnectionString);
        _services = services.BuildServiceProvider();
    }

    private IPipeline Pipeline => _services.GetRequiredService<IPipeline>();

    public static TheoryData<string, string> BadInputs => new()
    {
        { "{\"amount\": 1, \"date\": \"2024-01-01\", \"is_revenue\": true, \"description\": \"x\",}", "Malformed JSON" },
        { "{\"amount\": true, \"date\": \"2024-01-01\", \"is_revenue\": true, \"description\": \"x\"}", "must be a JSON number" },
        { "{\"amount\": 1, \"date\": \"2024-01-01\", \"is_revenue\": true}", "no \"description\" property" },
        { "{\"amount\": 1, \"date\": \"2024-02-30\", \"is_revenue\": true, \"description\": \"x\"}", "not a valid date" },
        { "{\"amount\": 12345678901234.5, \"date\": \"2024-01-01\", \"is_revenue\": true, \"description\": \"x\"}", "more than 13 digits" },
        { "{\"amount\": 1e999, \"date\": \"2024-01-01\", \"is_revenue\": true, \"description\": \"x\"}", "out of range" },
        { "{\"amount\": 1, \"date\": \"2024-01-01\", \"is_revenue\": true, \"descr", "ended before the JSON document was complete" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task RunAsync_BadInput_FailsWithIndexAndOffsetAndLeavesNoRows(string badItem, string message)
    {
        var prefix = "{\"data\": [" + string.Join(",", Enumerable.Repeat(Good, 20)) + ",";
        var body = prefix + badItem + (badItem.EndsWith('}') ? "]}" : string.Empty);

        var status = await Pipeline.RunAsync(PipelineInput.FromJson(new MemoryStream(Encoding.UTF8.GetBytes(body))), default);

        status.State.Should().Be(JobState.Failed);
        status.Error!.Message.Should().Contain(message);
        status.Error.ItemIndex.Should().Be(20);
        status.Error.ByteOffset.Should().BeInRange(prefix.Length - 1, body.Length);
        (await Pipeline.GetResultAsync(status.JobId, default)).Should().BeNull();
        SqliteRowFiles.CountRows(_database.Path).Should().Be(0, "the 20 rows stored before the bad one are removed");
        SqliteRowFiles.Files(_database.Path).Should().BeEmpty("the job's rows file is removed with them");
        Count("SELECT COUNT(*) FROM aggregates").Should().Be(0);
        Count("SELECT COUNT(*) FROM offers").Should().Be(0);
        var reopened = _database.CreateStore();
        (await reopened.FindAsync(status.JobId, default))!.Error!.ByteOffset.Should().Be(status.Error.ByteOffset);
    }

    [Fact]
    public async Task RunAsync_GoodInput_ResultsSurviveAReopen()
    {
        var body = "{\"data\": [" + string.Join(",", Enumerable.Repeat(Good, 30)) + "]}";

        var status = await Pipeline.RunAsync(PipelineInput.FromJson(new MemoryStream(Encoding.UTF8.GetBytes(body))), default);

        status.State.Should().Be(JobState.JobComplete);
        var reopened = (IResultStore)_database.CreateStore();
        var result = await reopened.FindAsync(status.JobId, default);
        result!.Aggregates.Should().Equal(new DailyAggregate(new DateOnly(2024, 1, 1), 303.00m, 303.00m, 30));
        result.Offers.Should().ContainSingle().Which.TransactionCount.Should().Be(30);
        SqliteRowFiles.CountRows(_database.Path).Should().Be(30);
    }

    public void Dispose()
    {
        _services.Dispose();
        _database.Dispose();
    }

    private long Count(string sql)
    {
        using var connection = new SqliteConnection(_database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
