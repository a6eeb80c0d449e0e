using System.Net;
using System.Text.Json;

namespace RaftBurrow.Api.Tests.Zaqar;

public sealed class QueuesApiTests : IAsyncLifetime
{
    private ZaqarTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ZaqarTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Put_creates_then_replaces_and_get_shows_reserved_defaults()
    {
        var created = await _host.PutAsync("/v2/queues/billing", "{\"description\":\"x\",\"_default_message_ttl\":120}");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("/v2/queues/billing", created.Location);
        var again = await _host.PutAsync("/v2/queues/billing", "{\"description\":\"y\"}");
        Assert.Equal(HttpStatusCode.NoContent, again.Status);

        var get = await _host.GetAsync("/v2/queues/billing");
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal("y", get.Json.GetProperty("description").GetString());
        Assert.Equal(3600, get.Json.GetProperty("_default_message_ttl").GetInt32());
        Assert.Equal(262144, get.Json.GetProperty("_max_messages_post_size").GetInt32());
        Assert.Equal(JsonValueKind.Null, get.Json.GetProperty("_dead_letter_queue").ValueKind);
        Assert.False(get.Json.GetProperty("_enable_encrypt_messages").GetBoolean());
    }

    [Fact]
    public async Task Put_without_body_creates_an_empty_queue()
    {
        Assert.Equal(HttpStatusCode.Created, (await _host.PutAsync("/v2/queues/empty")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _host.GetAsync("/v2/queues/empty")).Status);
    }

    [Theory]
    [InlineData("{\"_default_message_ttl\": 30}", "_default_message_ttl can not exceed")]
    [InlineData("{\"_default_message_ttl\": \"long\"}", "_default_message_ttl must be integer.")]
    [InlineData("{\"_max_messages_post_size\": 999999999}", "_max_messages_post_size can not exceed")]
    [InlineData("{\"_default_message_delay\": 901}", "The TTL can not exceed 900 seconds")]
    [InlineData("{\"_dead_letter_queue_messages_ttl\": 10}", "The TTL for a message may not exceed")]
    [InlineData("{\"_max_claim_count\": 1.5}", "_max_claim_count must be integer.")]
    [InlineData("{\"_enable_encrypt_messages\": 1}", "_enable_encrypt_messages must be boolean.")]
    [InlineData("{\"_retry_policy\": 3}", "retry_policy must be a dict.")]
    [InlineData("[1,2]", "Document type not supported.")]
    [InlineData("{\"a\":", "Request body could not be parsed.")]
    public async Task Put_rejects_bad_metadata_and_creates_nothing(string body, string text)
    {
        var reply = await _host.PutAsync("/v2/queues/bad", body);
        reply.AssertError(HttpStatusCode.BadRequest, text);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.GetAsync("/v2/queues/bad")).Status);
    }

    [Fact]
    public async Task Put_rejects_oversize_metadata()
    {
        var big = "{\"k\":\"" + new string('x', 70 * 1024) + "\"}";
        (await _host.PutAsync("/v2/queues/big", big)).AssertError(HttpStatusCode.BadRequest, "Queue metadata is too large. Max size: 65536");
    }

    [Theory]
    [InlineData("bad%20name")]
    [InlineData("a*b")]
    [InlineData("x0123456789012345678901234567890123456789012345678901234567890123")]
    public async Task Invalid_queue_names_are_400(string name)
    {
        (await _host.PutAsync("/v2/queues/" + name)).AssertError(HttpStatusCode.BadRequest, "The format of the submitted queue name or project id is not valid.");
    }

    [Fact]
    public async Task Empty_project_header_is_400_and_projects_are_separate()
    {
        (await _host.PutAsync("/v2/queues/q1", project: " ")).AssertError(HttpStatusCode.BadRequest, "X-PROJECT-ID cannot be an empty string");
        (await _host.PutAsync("/v2/queues/q1", project: new string('p', 257))).AssertError(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Created, (await _host.PutAsync("/v2/queues/q1", "{\"owner\":\"a\"}", project: "tenant-a")).Status);
        (await _host.GetAsync("/v2/queues/q1", project: "tenant-b")).AssertError(HttpStatusCode.NotFound);
        var list = await _host.GetAsync("/v2/queues", project: "tenant-b");
        Assert.Empty(list.Json.GetProperty("queues").EnumerateArray());
        Assert.Equal(HttpStatusCode.Created, (await _host.PutAsync("/v2/queues/q1", "{\"owner\":\"b\"}", project: "tenant-b")).Status);
        Assert.Equal("a", (await _host.GetAsync("/v2/queues/q1", project: "tenant-a")).Json.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task List_pages_across_partitions_in_name_order_with_count()
    {
        var names = Enumerable.Range(0, 25).Select(i => $"q{i:D2}").ToArray();
        foreach (var n in names.Reverse())
            Assert.Equal(HttpStatusCode.Created, (await _host.PutAsync("/v2/queues/" + n, "{\"n\":\"" + n + "\"}")).Status);

        var seen = new List<string>();
        var href = "/v2/queues?limit=7&with_count=true";
        while (true)
        {
            var page = await _host.GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var queues = page.Json.GetProperty("queues").EnumerateArray().ToList();
            if (queues.Count == 0)
            {
                Assert.Empty(page.Json.GetProperty("links").EnumerateArray());
                break;
            }
            Assert.Equal(25, page.Json.GetProperty("count").GetInt32());
            foreach (var q in queues)
            {
                Assert.Equal("/v2/queues/" + q.GetProperty("name").GetString(), q.GetProperty("href").GetString());
                Assert.False(q.TryGetProperty("metadata", out _));
                seen.Add(q.GetProperty("name").GetString()!);
            }
            href = page.Json.GetProperty("links")[0].GetProperty("href").GetString()!;
            Assert.Contains("marker=", href, StringComparison.Ordinal);
        }
        Assert.Equal(names, seen);

        var detailed = await _host.GetAsync("/v2/queues?detailed=true&limit=2");
        var first = detailed.Json.GetProperty("queues")[0];
        Assert.Equal("q00", first.GetProperty("metadata").GetProperty("n").GetString());
        Assert.Equal(3600, first.GetProperty("metadata").GetProperty("_default_message_ttl").GetInt32());

        var filtered = await _host.GetAsync("/v2/queues?n=q13");
        Assert.Equal("q13", Assert.Single(filtered.Json.GetProperty("queues").EnumerateArray()).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=21")]
    [InlineData("limit=abc")]
    [InlineData("detailed=maybe")]
    public async Task List_rejects_bad_parameters(string query)
    {
        (await _host.GetAsync("/v2/queues?" + query)).AssertError(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Patch_applies_json_patch_with_zaqar_rules()
    {
        await _host.PutAsync("/v2/queues/p", "{\"a\":1,\"b\":2}");
        const string mediaType = "application/openstack-messaging-v2.0-json-patch";
        var patch = "[{\"op\":\"replace\",\"path\":\"/metadata/a\",\"value\":10},{\"op\":\"add\",\"path\":\"/metadata/c\",\"value\":[1]},"
            + "{\"op\":\"remove\",\"path\":\"/metadata/b\"},{\"op\":\"replace\",\"path\":\"/metadata/_default_message_ttl\",\"value\":120}]";
        var reply = await _host.SendAsync(HttpMethod.Patch, "/v2/queues/p", patch, contentType: mediaType);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(10, reply.Json.GetProperty("a").GetInt32());
        Assert.False(reply.Json.TryGetProperty("b", out _));
        Assert.Equal(120, reply.Json.GetProperty("_default_message_ttl").GetInt32());
        Assert.Equal(1, (await _host.GetAsync("/v2/queues/p")).Json.GetProperty("c")[0].GetInt32());

        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/p", patch)).AssertError(HttpStatusCode.UnsupportedMediaType);
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/p", "[{\"op\":\"replace\",\"path\":\"/metadata/zz\",\"value\":1}]", contentType: mediaType))
            .AssertError(HttpStatusCode.Conflict, "Can't replace non-existent object zz.");
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/p", "[{\"op\":\"remove\",\"path\":\"/metadata/zz\"}]", contentType: mediaType))
            .AssertError(HttpStatusCode.Conflict, "Can't remove non-existent object zz.");
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/p", "[{\"op\":\"move\",\"path\":\"/metadata/a\"}]", contentType: mediaType))
            .AssertError(HttpStatusCode.BadRequest, "Invalid operation: `move`.");
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/p", "[{\"op\":\"add\",\"path\":\"/other/a\",\"value\":1}]", contentType: mediaType))
            .AssertError(HttpStatusCode.BadRequest, "The root of path must be metadata");
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/p", "[{\"op\":\"add\",\"path\":\"/metadata/a/b\",\"value\":1}]", contentType: mediaType))
            .AssertError(HttpStatusCode.BadRequest, "Invalid JSON pointer for this resource");
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/p", "[{\"op\":\"add\",\"path\":\"/metadata/x\"}]", contentType: mediaType))
            .AssertError(HttpStatusCode.BadRequest, "Operation \"add\" requires a member named \"value\".");
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/p", "[{\"op\":\"add\",\"path\":\"/metadata/_default_message_ttl\",\"value\":1}]", contentType: mediaType))
            .AssertError(HttpStatusCode.BadRequest, "_default_message_ttl can not exceed");
        (await _host.SendAsync(HttpMethod.Patch, "/v2/queues/nope", "[{\"op\":\"add\",\"path\":\"/metadata/x\",\"value\":1}]", contentType: mediaType))
            .AssertError(HttpStatusCode.NotFound);
        // Nothing of the failed patches landed.
        var after = (await _host.GetAsync("/v2/queues/p")).Json;
        Assert.Equal(120, after.GetProperty("_default_message_ttl").GetInt32());
        Assert.False(after.TryGetProperty("x", out _));
    }

    [Fact]
    public async Task Delete_is_idempotent_and_removes_everything()
    {
        await _host.PutAsync("/v2/queues/d");
        await _host.PostMessagesAsync("d", "1", "2");
        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync("/v2/queues/d")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _host.DeleteAsync("/v2/queues/d")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.GetAsync("/v2/queues/d")).Status);
        var stats = await _host.GetAsync("/v2/queues/d/stats");
        Assert.Equal(0, stats.Json.GetProperty("messages").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Stats_count_free_and_claimed_with_oldest_and_newest()
    {
        await _host.PostMessagesAsync("s", "1", "2", "3");
        var claim = await _host.PostAsync("/v2/queues/s/claims?limit=1", "{\"ttl\":60,\"grace\":60}");
        Assert.Equal(HttpStatusCode.Created, claim.Status);
        var stats = (await _host.GetAsync("/v2/queues/s/stats")).Json.GetProperty("messages");
        Assert.Equal(3, stats.GetProperty("total").GetInt32());
        Assert.Equal(1, stats.GetProperty("claimed").GetInt32());
        Assert.Equal(2, stats.GetProperty("free").GetInt32());
        Assert.StartsWith("/v2/queues/s/messages/", stats.GetProperty("oldest").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Z", stats.GetProperty("newest").GetProperty("created").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_removes_messages_or_subscriptions_as_asked()
    {
        await _host.PostMessagesAsync("pq", "1", "2");
        var sub = await _host.PostAsync("/v2/queues/pq/subscriptions", "{\"subscriber\":\"http://127.0.0.1:9/x\",\"ttl\":3600}");
        Assert.Equal(HttpStatusCode.Created, sub.Status);

        Assert.Equal(HttpStatusCode.NoContent, (await _host.PostAsync("/v2/queues/pq/purge", "{\"resource_types\":[\"messages\"]}")).Status);
        Assert.Equal(0, (await _host.GetAsync("/v2/queues/pq/stats")).Json.GetProperty("messages").GetProperty("total").GetInt32());
        Assert.Single((await _host.GetAsync("/v2/queues/pq/subscriptions")).Json.GetProperty("subscriptions").EnumerateArray());

        (await _host.PostAsync("/v2/queues/pq/purge", "{\"resource_types\":[\"claims\"]}")).AssertError(HttpStatusCode.BadRequest, "Resource types must be a sub set");
        (await _host.PostAsync("/v2/queues/pq/purge", "{}")).AssertError(HttpStatusCode.BadRequest, "Post body must contain key \"resource_types\".");
        Assert.Equal(HttpStatusCode.NoContent, (await _host.SendAsync(HttpMethod.Post, "/v2/queues/pq/purge")).Status);
        Assert.Empty((await _host.GetAsync("/v2/queues/pq/subscriptions")).Json.GetProperty("subscriptions").EnumerateArray());
    }

    [Fact]
    public async Task Form_content_type_and_non_json_accept_are_refused()
    {
        (await _host.SendAsync(HttpMethod.Put, "/v2/queues/f", "a=b", contentType: "application/x-www-form-urlencoded"))
            .AssertError(HttpStatusCode.BadRequest, "x-www-form-urlencoded");
        (await _host.SendAsync(HttpMethod.Get, "/v2/queues", headers: new Dictionary<string, string> { ["Accept"] = "text/html" }))
            .AssertError(HttpStatusCode.NotAcceptable);
    }
}
