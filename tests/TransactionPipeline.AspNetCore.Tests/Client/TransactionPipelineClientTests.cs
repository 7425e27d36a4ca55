using System.Net;
using System.Text;
using TransactionPipeline.Client;

namespace TransactionPipeline.AspNetCore.Tests.Client;

/// <summary>The typed client against the real adapter, so that both sides agree on the wire format.</summary>
public sealed class TransactionPipelineClientTests : IAsyncLifetime
{
    private PipelineServer _server = null!;
    private TransactionPipelineClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await PipelineServer.StartAsync();
        _client = new TransactionPipelineClient(_server.Client);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SubmitFileAsync_SeedSample_EventsEndInJobCompleteAndOffersHaveTheSeedsShape()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, SeedSample.Request);

            var job = await _client.SubmitFileAsync(path);
            var events = new List<JobEventMessage>();
            await foreach (var e in _client.WatchEventsAsync(job.JobId))
            {
                events.Add(e);
            }

            var status = await _client.GetStatusAsync(job.JobId);
            var offers = await _client.GetOffersAsync(job.JobId);

            job.JobId.Should().StartWith("pipeline_");
            events[^1].EventType.Should().Be("JOB_COMPLETE");
            status.Status.Should().Be("JOB_COMPLETE");
            status.Progress.TransactionsImported.Should().Be(1);
            var offer = offers.Offers.Should().ContainSingle().Subject;
            offer.Date.Should().Be(new DateOnly(2024, 1, 15));
            offer.TransactionCount.Should().Be(1);
            offers.PipelineSummary.Should().Be(new PipelineSummary(1, 1, 1));
            offers.CreditModelResults.CreditScores["2024-01-15"].Should().Be(offer.CreditScore);
            offers.CreditModelResults.RiskAssessments["2024-01-15"].Should().Be(offer.RiskLevel);
            offers.CreditModelResults.ModelVersion.Should().Be("v2.1");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task SubmitAsync_RetriedWithTheSameIdempotencyKey_AnswersTheSameJob_AnotherBodyThrows422()
    {
        var key = $"client \"quoted\" {Guid.NewGuid():N}";
        var first = await _client.SubmitAsync(new MemoryStream(Encoding.UTF8.GetBytes(SeedSample.Request)), key);
        var retry = await _client.SubmitAsync(new MemoryStream(Encoding.UTF8.GetBytes(SeedSample.Request)), key);
        var other = () => _client.SubmitAsync(new MemoryStream(Encoding.UTF8.GetBytes(SeedSample.Request.Replace("1500.00", "1.00", StringComparison.Ordinal))), key);

        retry.JobId.Should().Be(first.JobId);
        (await other.Should().ThrowAsync<PipelineApiException>()).Which.StatusCode.Should().Be(System.Net.HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task WatchEventsAsync_AfterSequence_ResumesAfterIt()
    {
        var job = await _client.SubmitAsync(new MemoryStream(Encoding.UTF8.GetBytes(SeedSample.Request)));
        var all = new List<long>();
        await foreach (var e in _client.WatchEventsAsync(job.JobId))
        {
            all.Add(e.Sequence);
        }

        var resumed = new List<long>();
        await foreach (var e in _client.WatchEventsAsync(job.JobId, all[1]))
        {
            resumed.Add(e.Sequence);
        }

        resumed.Should().Equal(all.Skip(2));
    }

    [Fact]
    public async Task SubmitAsync_InvalidInput_ThrowsWithItemIndexAndByteOffset()
    {
        var body = new MemoryStream(Encoding.UTF8.GetBytes("""{"data": [{"amount": 1.00, "date": "2024-13-01", "is_revenue": true, "description": "a"}]}"""));

        var submit = () => _client.SubmitAsync(body);

        var problem = (await submit.Should().ThrowAsync<PipelineApiException>()).Which;
        problem.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        problem.ItemIndex.Should().Be(0);
        problem.ByteOffset.Should().BePositive();
        problem.JobId.Should().NotBeNullOrEmpty();
        var offers = () => _client.GetOffersAsync(problem.JobId!);
        (await offers.Should().ThrowAsync<PipelineApiException>()).Which.JobStatus.Should().Be("FAILED");
    }

    [Fact]
    public async Task GetStatusAsync_UnknownJob_Throws404()
    {
        var read = () => _client.GetStatusAsync("pipeline_19990101_999");

        (await read.Should().ThrowAsync<PipelineApiException>()).Which.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RegisterWebhookAsync_LocalReceiver_ReturnsASecretAndDelivers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var job = await _client.SubmitAsync(new MemoryStream(Encoding.UTF8.GetBytes(SeedSample.Request)));

        var registration = await _client.RegisterWebhookAsync(job.JobId, receiver.Url, ["JOB_COMPLETE"]);
        var delivery = await receiver.NextAsync();

        registration.Secret.Should().StartWith("whsec_");
        registration.Events.Should().Equal("JOB_COMPLETE");
        delivery.Body.Should().Contain(job.JobId);
    }
}
