using System.Net;
using System.Text.Json;

namespace TransactionPipeline.AspNetCore.Tests.Http;

public sealed class JobEventStreamTests : IAsyncLifetime
{
    private PipelineServer _server = null!;

    public async Task InitializeAsync() => _server = await PipelineServer.StartAsync(options => options.EventStreamHeartbeat = TimeSpan.FromMilliseconds(20));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Events_Job_EveryEventHasIdTypeAndDataAndTheStreamEndsAfterTheTerminalEvent()
    {
        var jobId = await _server.SubmitSampleAsync();

        var events = await ReadStreamAsync($"/api/jobs/{jobId}/events/");

        events.Should().NotBeEmpty();
        foreach (var e in events)
        {
            e.Data.GetProperty("event_type").GetString().Should().Be(e.Type);
            e.Data.GetProperty("sequence").GetInt64().Should().Be(e.Id);
            e.Data.GetProperty("job_id").GetString().Should().Be(jobId);
            e.Data.GetProperty("status").GetString().Should().NotBeNullOrEmpty();
            e.Data.GetProperty("current_stage").GetString().Should().NotBeNullOrEmpty();
            e.Data.TryGetProperty("progress", out _).Should().BeTrue();
        }

        events.Select(e => e.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        events[^1].Type.Should().Be("JOB_COMPLETE");
        events.Should().ContainSingle(e => e.Type == "JOB_COMPLETE");
    }

    [Fact]
    public async Task Events_ReconnectWithLastEventId_ResumesAfterThatId()
    {
        var jobId = await _server.SubmitSampleAsync();
        var all = await ReadStreamAsync($"/api/jobs/{jobId}/events/");
        var lastSeen = all[^3].Id;

        var resumed = await ReadStreamAsync($"/api/jobs/{jobId}/events/", lastEventId: lastSeen.ToString(System.Globalization.CultureInfo.InvariantCulture));

        resumed.Select(e => e.Id).Should().Equal(all.Where(e => e.Id > lastSeen).Select(e => e.Id));
        resumed[^1].Type.Should().Be("JOB_COMPLETE");
    }

    [Fact]
    public async Task Events_LateSubscriber_SeesTheWholeHistoryAndTheTerminalEvent()
    {
        var jobId = await _server.SubmitSampleAsync();
        await _server.WaitForStatusAsync(jobId, "JOB_COMPLETE");

        var events = await ReadStreamAsync($"/api/jobs/{jobId}/events/", trailingSlash: false);

        events[0].Type.Should().Be("JOB_CREATED");
        events[^1].Type.Should().Be("JOB_COMPLETE");
    }

    [Fact]
    public async Task Events_FailedJob_EndsWithFailedEventCarryingTheError()
    {
        using var submit = await _server.SubmitAsync("""{"data": [{"amount": "x"}]}""");
        var problem = JsonDocument.Parse(await submit.Content.ReadAsStringAsync()).RootElement;
        var jobId = problem.GetProperty("job_id").GetString();

        var events = await ReadStreamAsync($"/api/jobs/{jobId}/events/");

        events[^1].Type.Should().Be("FAILED");
        events[^1].Data.GetProperty("error").GetProperty("kind").GetString().Should().Be("invalid_input");
    }

    [Fact]
    public async Task Events_BadLastEventId_IsProblem400()
    {
        var jobId = await _server.SubmitSampleAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/jobs/{jobId}/events/");
        request.Headers.Add("Last-Event-ID", "abc");

        using var response = await _server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private async Task<List<ServerSentEvent>> ReadStreamAsync(string path, string? lastEventId = null, bool trailingSlash = true)
    {
        using var timeout = new CancellationTokenSource(PipelineServer.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, trailingSlash ? path : path.TrimEnd('/'));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await _server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");

        // Reading to the end proves the server closes the stream after the terminal event.
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<ServerSentEvent>();
        long? id = null;
        string? type = null;
        string? data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    id.Should().NotBeNull();
                    type.Should().NotBeNull();
                    events.Add(new ServerSentEvent(id!.Value, type!, JsonDocument.Parse(data).RootElement.Clone()));
                }

                (id, type, data) = (null, null, null);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Should().BeNull("each event's data is one line");
                data = line[6..];
            }
            else
            {
                line.Should().Be(": keep-alive");
            }
        }

        return events;
    }

    private sealed record ServerSentEvent(long Id, string Type, JsonElement Data);
}
