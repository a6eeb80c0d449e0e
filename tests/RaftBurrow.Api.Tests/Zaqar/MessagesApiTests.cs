using System.Net;
using System.Text.Json;

namespace RaftBurrow.Api.Tests.Zaqar;

public sealed class MessagesApiTests : IAsyncLifetime
{
    private ZaqarTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ZaqarTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Post_creates_the_queue_lazily_and_answers_201_with_resources()
    {
        var body = "{\"messages\":[{\"ttl\":300,\"delay\":0,\"body\":{\"event\":\"BackupStarted\",\"n\":[1,2.5,null]}},{\"body\":\"plain\"}]}";
        var reply = await _host.PostAsync("/v2/queues/lazy/messages", body);
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        var resources = reply.Json.GetProperty("resources").EnumerateArray().Select(r => r.GetString()!).ToArray();
        Assert.Equal(2, resources.Length);
        Assert.All(resources, r => Assert.StartsWith("/v2/queues/lazy/messages/", r, StringComparison.Ordinal));
        Assert.Equal("/v2/queues/lazy/messages?ids=" + string.Join(",", resources.Select(r => r.Split('/')[^1])), reply.Location);
        Assert.Equal(HttpStatusCode.OK, (await _host.GetAsync("/v2/queues/lazy")).Status);

        var one = await _host.GetAsync(resources[0]);
        Assert.Equal(HttpStatusCode.OK, one.Status);
        Assert.Equal("{\"event\":\"BackupStarted\",\"n\":[1,2.5,null]}", one.Json.GetProperty("body").GetRawText());
        Assert.Equal(300, one.Json.GetProperty("ttl").GetInt32());
        Assert.Equal(resources[0], one.Json.GetProperty("href").GetString());
        var two = await _host.GetAsync(resources[1]);
        Assert.Equal("plain", two.Json.GetProperty("body").GetString());
        Assert.Equal(3600, two.Json.GetProperty("ttl").GetInt32());
    }

    [Theory]
    [InlineData("", "Request body can not be empty")]
    [InlineData("{\"messages\": [", "Request body could not be parsed.")]
    [InlineData("{\"messages\": []} x", "Request body could not be parsed.")]
    [InlineData("[1]", "No messages were found in the request body.")]
    [InlineData("{\"msgs\": []}", "No messages were found in the request body.")]
    [InlineData("{\"messages\": {}}", "Document type not supported.")]
    [InlineData("{\"messages\": [1]}", "Document type not supported.")]
    [InlineData("{\"messages\": []}", "No messages to enqueu.")]
    [InlineData("{\"messages\": [{\"ttl\": 300}]}", "Missing \"body\" field.")]
    [InlineData("{\"messages\": [{\"ttl\": \"300\", \"body\": 1}]}", "The value of the \"ttl\" field must be a int.")]
    [InlineData("{\"messages\": [{\"ttl\": 30.5, \"body\": 1}]}", "The value of the \"ttl\" field must be a int.")]
    [InlineData("{\"messages\": [{\"ttl\": 59, \"body\": 1}]}", "The TTL for a message may not exceed 1209600 seconds, and must be at least 60 seconds long.")]
    [InlineData("{\"messages\": [{\"ttl\": 1209601, \"body\": 1}]}", "The TTL for a message may not exceed")]
    [InlineData("{\"messages\": [{\"ttl\": 99999999999999999999, \"body\": 1}]}", "The TTL for a message may not exceed")]
    [InlineData("{\"messages\": [{\"delay\": 901, \"body\": 1}]}", "The Delay TTL for a message may not exceed 900 seconds")]
    [InlineData("{\"messages\": [{\"delay\": -1, \"body\": 1}]}", "The Delay TTL")]
    public async Task Post_rejects_bad_bodies_and_enqueues_nothing(string body, string text)
    {
        var reply = await _host.SendAsync(HttpMethod.Post, "/v2/queues/neg/messages", body);
        reply.AssertError(HttpStatusCode.BadRequest, text);
        Assert.Equal(0, (await _host.GetAsync("/v2/queues/neg/stats")).Json.GetProperty("messages").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Post_rejects_an_oversize_body()
    {
        var body = "{\"messages\":[{\"body\":\"" + new string('x', 300 * 1024) + "\"}]}";
        (await _host.PostAsync("/v2/queues/big/messages", body)).AssertError(HttpStatusCode.BadRequest, "Message collection size is too large. Max size 262144");
    }

    [Theory]
    [InlineData(null, "The Client-ID header is required.")]
    [InlineData("not-a-uuid", "Malformed hexadecimal UUID.")]
    public async Task Message_routes_require_a_uuid_client_id(string? clientId, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/queues/c/messages") { Content = new StringContent("{\"messages\":[{\"body\":1}]}") };
        request.Headers.Add("X-Project-ID", ZaqarTestHost.Project);
        if (clientId is not null)
            request.Headers.Add("Client-ID", clientId);
        using var response = await _host.Client.SendAsync(request);
        var reply = new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), null, response.Headers);
        reply.AssertError(HttpStatusCode.BadRequest, text);
    }

    [Fact]
    public async Task List_pages_oldest_first_with_next_links_and_echo_rules()
    {
        var ids = await _host.PostMessagesAsync("l", "1", "2", "3", "4", "5");
        // Echo is off by default: our own messages are hidden.
        var mine = await _host.GetAsync("/v2/queues/l/messages");
        Assert.Empty(mine.Json.GetProperty("messages").EnumerateArray());
        Assert.Empty(mine.Json.GetProperty("links").EnumerateArray());

        var seen = new List<string>();
        var href = "/v2/queues/l/messages?limit=2&echo=true";
        while (true)
        {
            var page = await _host.GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var messages = page.Json.GetProperty("messages").EnumerateArray().ToList();
            if (messages.Count == 0)
                break;
            seen.AddRange(messages.Select(m => m.GetProperty("id").GetString()!));
            href = page.Json.GetProperty("links")[0].GetProperty("href").GetString()!;
            Assert.Contains("echo=true", href, StringComparison.Ordinal);
        }
        Assert.Equal(ids, seen);

        var other = await _host.SendAsync(HttpMethod.Get, "/v2/queues/l/messages", clientId: Guid.NewGuid().ToString());
        Assert.Equal(5, other.Json.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task List_hides_claimed_and_delayed_unless_asked()
    {
        await _host.PostMessagesAsync("h", "1", "2");
        await _host.PostAsync("/v2/queues/h/messages", "{\"messages\":[{\"body\":3,\"delay\":600}]}");
        var claim = await _host.PostAsync("/v2/queues/h/claims?limit=1", "{}");
        Assert.Equal(HttpStatusCode.Created, claim.Status);

        var plain = await _host.GetAsync("/v2/queues/h/messages?echo=true");
        Assert.Single(plain.Json.GetProperty("messages").EnumerateArray());
        var all = await _host.GetAsync("/v2/queues/h/messages?echo=true&include_claimed=true&include_delayed=true");
        var messages = all.Json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(3, messages.Count);
        Assert.Contains("?claim_id=", messages[0].GetProperty("href").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=21")]
    [InlineData("echo=perhaps")]
    [InlineData("wait=21")]
    [InlineData("wait=-1")]
    public async Task List_rejects_bad_parameters(string query)
    {
        (await _host.GetAsync("/v2/queues/x/messages?" + query)).AssertError(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task List_of_a_missing_queue_is_an_empty_page()
    {
        var reply = await _host.GetAsync("/v2/queues/ghost/messages");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Empty(reply.Json.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task Get_and_delete_by_ids()
    {
        var ids = await _host.PostMessagesAsync("b", "1", "2", "3");
        var got = await _host.GetAsync($"/v2/queues/b/messages?ids={ids[0]},{ids[2]},nosuch");
        Assert.Equal(new[] { ids[0], ids[2] }, got.Json.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        (await _host.GetAsync("/v2/queues/b/messages?ids=nosuch")).AssertError(HttpStatusCode.NotFound, "No messages with IDs");
        var tooMany = string.Join(",", Enumerable.Range(0, 21).Select(i => "m" + i));
        (await _host.GetAsync("/v2/queues/b/messages?ids=" + tooMany)).AssertError(HttpStatusCode.BadRequest);
        (await _host.DeleteAsync("/v2/queues/b/messages?ids=" + tooMany)).AssertError(HttpStatusCode.BadRequest, "ids parameter should have at least 1");

        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync($"/v2/queues/b/messages?ids={ids[0]},{ids[1]}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.GetAsync($"/v2/queues/b/messages/{ids[0]}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _host.GetAsync($"/v2/queues/b/messages/{ids[2]}")).Status);
    }

    [Fact]
    public async Task Delete_collection_needs_exactly_one_of_ids_or_pop()
    {
        (await _host.DeleteAsync("/v2/queues/b/messages")).AssertError(HttpStatusCode.BadRequest, "either \"ids\" or \"pop\"");
        (await _host.DeleteAsync("/v2/queues/b/messages?ids=a&pop=1")).AssertError(HttpStatusCode.BadRequest, "cannot be present together");
        (await _host.DeleteAsync("/v2/queues/b/messages?pop=0")).AssertError(HttpStatusCode.BadRequest, "Pop value must be at least 1 and may not be greater than 20.");
        (await _host.DeleteAsync("/v2/queues/b/messages?pop=21")).AssertError(HttpStatusCode.BadRequest, "Pop value");
        (await _host.DeleteAsync("/v2/queues/b/messages?pop=x")).AssertError(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Pop_removes_the_oldest_messages_and_returns_them()
    {
        var ids = await _host.PostMessagesAsync("pop", "1", "2", "3");
        var popped = await _host.DeleteAsync("/v2/queues/pop/messages?pop=2");
        Assert.Equal(HttpStatusCode.OK, popped.Status);
        var messages = popped.Json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(ids[..2], messages.Select(m => m.GetProperty("id").GetString()));
        Assert.Equal(1, messages[0].GetProperty("body").GetInt32());
        Assert.True(messages[0].TryGetProperty("claim_count", out _));
        var rest = await _host.GetAsync("/v2/queues/pop/messages?echo=true");
        Assert.Equal(ids[2], Assert.Single(rest.Json.GetProperty("messages").EnumerateArray()).GetProperty("id").GetString());
        var none = await _host.DeleteAsync("/v2/queues/nothing/messages?pop=5");
        Assert.Equal(HttpStatusCode.OK, none.Status);
        Assert.Empty(none.Json.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task Delete_one_follows_the_claim_rules()
    {
        var ids = await _host.PostMessagesAsync("dq", "1", "2");
        var claim = await _host.PostAsync("/v2/queues/dq/claims?limit=1", "{\"ttl\":60,\"grace\":60}");
        var claimId = claim.Location!.Split('/')[^1];
        var claimed = ids[0];

        (await _host.DeleteAsync($"/v2/queues/dq/messages/{claimed}")).AssertError(HttpStatusCode.Forbidden, "cannot be deleted without a valid claim ID");
        (await _host.DeleteAsync($"/v2/queues/dq/messages/{claimed}?claim_id=wrong")).AssertError(HttpStatusCode.Forbidden);
        (await _host.DeleteAsync($"/v2/queues/dq/messages/{ids[1]}?claim_id={claimId}")).AssertError(HttpStatusCode.BadRequest, "not currently claimed");
        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync($"/v2/queues/dq/messages/{claimed}?claim_id={claimId}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync($"/v2/queues/dq/messages/{ids[1]}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync($"/v2/queues/dq/messages/{ids[1]}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync("/v2/queues/nosuchq/messages/abc")).Status);
    }

    [Fact]
    public async Task Messages_of_another_project_are_invisible()
    {
        var ids = await _host.PostMessagesAsync("shared", "1");
        (await _host.GetAsync($"/v2/queues/shared/messages/{ids[0]}", project: "intruder")).AssertError(HttpStatusCode.NotFound);
        var list = await _host.SendAsync(HttpMethod.Get, "/v2/queues/shared/messages?echo=true", project: "intruder");
        Assert.Empty(list.Json.GetProperty("messages").EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync($"/v2/queues/shared/messages/{ids[0]}", project: "intruder")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _host.GetAsync($"/v2/queues/shared/messages/{ids[0]}")).Status);
    }

    [Fact]
    public async Task Idempotency_key_retry_returns_the_first_response_and_creates_nothing()
    {
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "order-42" };
        const string body = "{\"messages\":[{\"body\":\"once\"}]}";
        var first = await _host.SendAsync(HttpMethod.Post, "/v2/queues/idem/messages", body, headers: headers);
        var second = await _host.SendAsync(HttpMethod.Post, "/v2/queues/idem/messages", body, headers: headers);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(1, (await _host.GetAsync("/v2/queues/idem/stats")).Json.GetProperty("messages").GetProperty("total").GetInt32());

        var other = await _host.SendAsync(HttpMethod.Post, "/v2/queues/idem/messages", body, headers: new Dictionary<string, string> { ["Idempotency-Key"] = "order-43" });
        Assert.NotEqual(first.Body, other.Body);
        (await _host.SendAsync(HttpMethod.Post, "/v2/queues/idem/messages", body, headers: new Dictionary<string, string> { ["Idempotency-Key"] = new string('k', 300) }))
            .AssertError(HttpStatusCode.BadRequest, "Idempotency-Key");
    }

    [Fact]
    public async Task Queue_default_ttl_applies_to_messages_without_one()
    {
        await _host.PutAsync("/v2/queues/dttl", "{\"_default_message_ttl\":120}");
        var ids = await _host.PostAsync("/v2/queues/dttl/messages", "{\"messages\":[{\"body\":1}]}");
        var id = ids.Json.GetProperty("resources")[0].GetString()!;
        Assert.Equal(120, (await _host.GetAsync(id)).Json.GetProperty("ttl").GetInt32());
    }

    [Fact]
    public async Task Long_poll_list_returns_when_a_message_arrives()
    {
        var waiting = _host.SendAsync(HttpMethod.Get, "/v2/queues/lp/messages?wait=20", clientId: Guid.NewGuid().ToString());
        // The listing is parked; a post wakes it (no timing is asserted, only the outcome).
        await _host.PostMessagesAsync("lp", "\"hello\"");
        var reply = await waiting;
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("hello", Assert.Single(reply.Json.GetProperty("messages").EnumerateArray()).GetProperty("body").GetString());
    }
}

public sealed class OddInputApiTests : IAsyncLifetime
{
    private ZaqarTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ZaqarTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Invalid_utf8_bodies_are_400_and_stored_nowhere()
    {
        byte[] bad = [.. "{\"messages\":[{\"body\":\""u8, 0xC3, 0x28, .. "\"}]}"u8];
        foreach (var (method, path) in new[] { (HttpMethod.Post, "/v2/queues/u8/messages"), (HttpMethod.Put, "/v2/queues/u8") })
        {
            using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(bad) };
            request.Headers.Add("Client-ID", ZaqarTestHost.ClientId);
            request.Headers.Add("X-Project-ID", ZaqarTestHost.Project);
            using var response = await _host.Client.SendAsync(request);
            new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), null, response.Headers)
                .AssertError(HttpStatusCode.BadRequest, "could not be parsed");
        }
        (await _host.GetAsync("/v2/queues/u8")).AssertError(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("zzz")]
    [InlineData("-1")]
    [InlineData("999999999999999999999999999999")]
    [InlineData("a%20b")]
    [InlineData("000000000000000000000000")]
    public async Task Odd_ids_and_markers_never_give_500(string id)
    {
        await _host.PostMessagesAsync("odd", "1");
        var replies = new[]
        {
            await _host.GetAsync($"/v2/queues/odd/messages/{id}"),
            await _host.DeleteAsync($"/v2/queues/odd/messages/{id}?claim_id={id}"),
            await _host.GetAsync($"/v2/queues/odd/messages?ids={id}"),
            await _host.GetAsync($"/v2/queues/odd/messages?marker={id}&echo=true"),
            await _host.GetAsync($"/v2/queues/odd/claims/{id}"),
            await _host.SendAsync(HttpMethod.Patch, $"/v2/queues/odd/claims/{id}", "{\"ttl\":60}"),
            await _host.DeleteAsync($"/v2/queues/odd/claims/{id}"),
            await _host.GetAsync($"/v2/queues/odd/subscriptions/{id}"),
            await _host.GetAsync($"/v2/queues/odd/subscriptions?marker={id}"),
            await _host.PutAsync($"/v2/queues/odd/subscriptions/{id}/confirm", "{\"confirmed\":true}"),
            await _host.GetAsync($"/v2/queues?marker={id}"),
        };
        Assert.All(replies, r => Assert.True((int)r.Status < 500, $"{(int)r.Status}: {r.Body}"));
        Assert.Equal(1, (await _host.GetAsync("/v2/queues/odd/stats")).Json.GetProperty("messages").GetProperty("total").GetInt32());
    }
}
