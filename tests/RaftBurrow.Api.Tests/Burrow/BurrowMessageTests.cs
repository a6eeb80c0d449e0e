using RaftBurrow.Api.Tests.Burrow.Support;

namespace RaftBurrow.Api.Tests.Burrow;

/// <summary>Contract §4–§6: single-message routes, message listings, detail levels, error precedence.</summary>
public sealed class BurrowMessageTests : IAsyncLifetime
{
    private BurrowTestHost _host = null!;

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await BurrowTestHost.StartAsync(fakeTime: true);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Put_of_a_new_id_is_201_and_a_replace_is_200_both_empty()
    {
        var created = await Client.Put("/v1.0/a/q/m", "one");
        Assert.Equal(201, created.Status);
        Assert.Empty(created.Bytes);
        var replaced = await Client.Put("/v1.0/a/q/m", "two");
        Assert.Equal(200, replaced.Status);
        Assert.Empty(replaced.Bytes);
        Assert.Equal("two", (await Client.Get("/v1.0/a/q/m?detail=body")).Text);
    }

    [Fact]
    public async Task Get_message_detail_levels()
    {
        await Client.Put("/v1.0/a/q/m?ttl=100&hide=200", "the body");
        var all = await Client.Get("/v1.0/a/q/m");
        Assert.Equal(200, all.Status);
        Assert.StartsWith("application/json", all.ContentType);
        Assert.Equal("m", all.Json.GetProperty("id").GetString());
        Assert.Equal(100, all.Json.GetProperty("ttl").GetInt64());
        Assert.Equal(200, all.Json.GetProperty("hide").GetInt64());
        Assert.Equal("the body", all.Json.GetProperty("body").GetString());

        var attributes = await Client.Get("/v1.0/a/q/m?detail=attributes");
        Assert.False(attributes.Json.TryGetProperty("body", out _));
        Assert.Equal(100, attributes.Json.GetProperty("ttl").GetInt64());

        var id = await Client.Get("/v1.0/a/q/m?detail=id");
        Assert.Equal("application/octet-stream", id.ContentType);
        Assert.Equal("m", id.Text);

        var body = await Client.Get("/v1.0/a/q/m?detail=body");
        Assert.Equal("application/octet-stream", body.ContentType);
        Assert.Equal("the body", body.Text);

        var none = await Client.Get("/v1.0/a/q/m?detail=none");
        Assert.Equal(200, none.Status);
        Assert.Empty(none.Bytes);
    }

    [Fact]
    public async Task Remaining_ttl_and_hide_count_down_in_whole_seconds()
    {
        await Client.Put("/v1.0/a/q/m?ttl=100&hide=50", "b");
        _host.Time!.Advance(TimeSpan.FromSeconds(10));
        var reply = await Client.Get("/v1.0/a/q/m?detail=attributes");
        Assert.Equal(90, reply.Json.GetProperty("ttl").GetInt64());
        Assert.Equal(40, reply.Json.GetProperty("hide").GetInt64());
    }

    [Fact]
    public async Task Ttl_defaults_to_the_setting_and_zero_means_forever()
    {
        await Client.Put("/v1.0/a/q/m", "b");
        Assert.Equal(600, (await Client.Get("/v1.0/a/q/m")).Json.GetProperty("ttl").GetInt64());
        await Client.Put("/v1.0/a/q/n?ttl=0", "b");
        Assert.Equal(0, (await Client.Get("/v1.0/a/q/n")).Json.GetProperty("ttl").GetInt64());
        Assert.Equal(0, (await Client.Get("/v1.0/a/q/n")).Json.GetProperty("hide").GetInt64());
    }

    [Fact]
    public async Task The_default_ttl_is_configurable()
    {
        await using var host = await BurrowTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Burrow:DefaultTtlSeconds"] = "0" });
        await host.Client.Put("/v1.0/a/q/m", "b");
        Assert.Equal(0, (await host.Client.Get("/v1.0/a/q/m")).Json.GetProperty("ttl").GetInt64());
    }

    [Fact]
    public async Task A_plain_put_over_a_hidden_message_makes_it_visible_and_resets_ttl_keeping_its_place()
    {
        await Client.Put("/v1.0/a/q/m1?hide=100&ttl=5", "1");
        await Client.Put("/v1.0/a/q/m2", "2");
        Assert.Equal(["m2"], (await Client.Get("/v1.0/a/q?detail=id")).Strings);
        Assert.Equal(200, (await Client.Put("/v1.0/a/q/m1", "1b")).Status);
        var all = await Client.Get("/v1.0/a/q");
        Assert.Equal(["m1", "m2"], all.Ids);
        Assert.Equal(600, all.Json[0].GetProperty("ttl").GetInt64());
        Assert.Equal(0, all.Json[0].GetProperty("hide").GetInt64());
    }

    [Fact]
    public async Task Not_found_texts_name_the_first_missing_level()
    {
        await Client.Put("/v1.0/a/q/m", "b");
        await AssertNotFound(Client.Get("/v1.0/x/q/m"), "Account not found");
        await AssertNotFound(Client.Get("/v1.0/a/x/m"), "Queue not found");
        await AssertNotFound(Client.Get("/v1.0/a/q/x"), "Message not found");
        await AssertNotFound(Client.Get("/v1.0/x/q"), "Account not found");
        await AssertNotFound(Client.Get("/v1.0/a/x"), "Queue not found");
        await AssertNotFound(Client.Get("/v1.0/x"), "Account not found");
        await AssertNotFound(Client.Post("/v1.0/a/x/m?hide=1"), "Queue not found");
        await AssertNotFound(Client.Delete("/v1.0/a/q/x"), "Message not found");
    }

    [Fact]
    public async Task Account_not_found_is_answered_even_when_another_partition_holds_queues_of_other_accounts()
    {
        // Many queues in one account spread it over every partition; a queue of that account that
        // does not exist must say "Queue not found" whichever partition it hashes to.
        for (var i = 0; i < 12; i++)
            await Client.Put($"/v1.0/a/q{i}/m", "b");
        for (var i = 100; i < 112; i++)
            await AssertNotFound(Client.Get($"/v1.0/a/q{i}"), "Queue not found");
    }

    [Fact]
    public async Task Invalid_detail_is_400_with_the_value_as_body_but_a_missing_message_wins()
    {
        await Client.Put("/v1.0/a/q/m", "b");
        foreach (var method in new[] { "GET", "POST", "DELETE" })
        {
            var bad = await Client.Send(method, "/v1.0/a/q/m?detail=bogus");
            Assert.Equal(400, bad.Status);
            Assert.Equal("bogus", bad.Text);
            await AssertNotFound(Client.Send(method, "/v1.0/a/q/x?detail=bogus"), "Message not found");
            await AssertNotFound(Client.Send(method, "/v1.0/a/x?detail=bogus"), "Queue not found");
            var list = await Client.Send(method, "/v1.0/a/q?detail=");
            Assert.Equal(400, list.Status);
            Assert.Empty(list.Bytes);
        }

        // Nothing was changed or deleted by the rejected requests.
        Assert.Equal(600, (await Client.Get("/v1.0/a/q/m")).Json.GetProperty("ttl").GetInt64());
        Assert.Equal(400, (await Client.Post("/v1.0/a/q/m?detail=x&hide=60")).Status);
        Assert.Equal(0, (await Client.Get("/v1.0/a/q/m")).Json.GetProperty("hide").GetInt64());
    }

    [Fact]
    public async Task Put_ignores_detail_and_filters()
    {
        Assert.Equal(201, (await Client.Put("/v1.0/a/q/m?detail=bogus&limit=3&wait=9", "b")).Status);
    }

    [Fact]
    public async Task Post_message_updates_attributes_and_returns_them_by_detail()
    {
        await Client.Put("/v1.0/a/q/m", "b");
        var none = await Client.Post("/v1.0/a/q/m?hide=30");
        Assert.Equal(200, none.Status);
        Assert.Empty(none.Bytes);
        var all = await Client.Post("/v1.0/a/q/m?ttl=90&detail=all");
        Assert.Equal(90, all.Json.GetProperty("ttl").GetInt64());
        Assert.Equal(30, all.Json.GetProperty("hide").GetInt64());
        Assert.Equal("b", all.Json.GetProperty("body").GetString());
        var unchanged = await Client.Post("/v1.0/a/q/m?detail=attributes");
        Assert.Equal(90, unchanged.Json.GetProperty("ttl").GetInt64());
    }

    [Fact]
    public async Task Delete_message_returns_it_and_removes_empty_queue_and_account()
    {
        await Client.Put("/v1.0/a/q/m", "b");
        var deleted = await Client.Delete("/v1.0/a/q/m?detail=body");
        Assert.Equal("b", deleted.Text);
        await AssertNotFound(Client.Get("/v1.0/a/q/m"), "Account not found");
        await AssertNotFound(Client.Get("/v1.0"), "Account not found");
    }

    [Fact]
    public async Task Get_messages_lists_in_put_order_skipping_hidden_unless_asked()
    {
        await Client.Put("/v1.0/a/q/c", "1");
        await Client.Put("/v1.0/a/q/a?hide=60", "2");
        await Client.Put("/v1.0/a/q/b", "3");
        Assert.Equal(["c", "b"], (await Client.Get("/v1.0/a/q")).Ids);
        Assert.Equal(["c", "a", "b"], (await Client.Get("/v1.0/a/q?match_hidden=TRUE")).Ids);
        Assert.Equal(["c", "b"], (await Client.Get("/v1.0/a/q?match_hidden=1")).Ids);
        Assert.Equal(["c", "b"], (await Client.Get("/v1.0/a/q?match_hidden=yes")).Ids);
    }

    [Fact]
    public async Task Message_listing_detail_levels()
    {
        await Client.Put("/v1.0/a/q/m?ttl=10", "x");
        Assert.Equal(["m"], (await Client.Get("/v1.0/a/q?detail=id")).Strings);
        Assert.Equal(["x"], (await Client.Get("/v1.0/a/q?detail=body")).Strings);
        var attributes = (await Client.Get("/v1.0/a/q?detail=attributes")).Json[0];
        Assert.Equal(10, attributes.GetProperty("ttl").GetInt64());
        Assert.False(attributes.TryGetProperty("body", out _));
        var none = await Client.Get("/v1.0/a/q?detail=none");
        Assert.Equal(200, none.Status);
        Assert.Empty(none.Bytes);
    }

    [Fact]
    public async Task Marker_and_limit_select_messages_and_a_hidden_marker_works()
    {
        foreach (var id in new[] { "m1", "m2", "m3", "m4" })
            await Client.Put($"/v1.0/a/q/{id}", id);
        await Client.Post("/v1.0/a/q/m2?hide=60");
        Assert.Equal(["m3", "m4"], (await Client.Get("/v1.0/a/q?marker=m2")).Ids);
        Assert.Equal(["m3"], (await Client.Get("/v1.0/a/q?marker=m2&limit=1")).Ids);
        Assert.Equal(["m1", "m3"], (await Client.Get("/v1.0/a/q?limit=2")).Ids);
        Assert.Equal(["m1", "m3", "m4"], (await Client.Get("/v1.0/a/q?marker=unknown")).Ids);
        Assert.Equal(["m1", "m3", "m4"], (await Client.Get("/v1.0/a/q?marker=")).Ids);
        await AssertNotFound(Client.Get("/v1.0/a/q?marker=m4"), "Message not found");
    }

    [Fact]
    public async Task Limit_zero_and_negative_limits_mean_no_limit()
    {
        foreach (var id in new[] { "m1", "m2", "m3" })
            await Client.Put($"/v1.0/a/q/{id}", id);
        Assert.Equal(3, (await Client.Get("/v1.0/a/q?limit=0")).Ids.Length);
        Assert.Equal(3, (await Client.Get("/v1.0/a/q?limit=-1")).Ids.Length);
        Assert.Equal(3, (await Client.Get("/v1.0/a/q?limit=99999999999999999999999")).Ids.Length);
    }

    [Fact]
    public async Task Post_messages_claims_with_hide_and_returns_the_updated_messages()
    {
        foreach (var id in new[] { "m1", "m2", "m3" })
            await Client.Put($"/v1.0/a/q/{id}", id);
        var claim = await Client.Post("/v1.0/a/q?limit=1&hide=60&detail=all");
        Assert.Equal(["m1"], claim.Ids);
        Assert.Equal(60, claim.Json[0].GetProperty("hide").GetInt64());
        Assert.Equal(["m2"], (await Client.Post("/v1.0/a/q?limit=1&hide=60&detail=id")).Strings);
        var none = await Client.Post("/v1.0/a/q?limit=1&hide=60");
        Assert.Equal(200, none.Status);
        Assert.Empty(none.Bytes);
        await AssertNotFound(Client.Post("/v1.0/a/q?limit=1&hide=60"), "Message not found");
        // Un-hide everything, matching hidden ones.
        var all = await Client.Post("/v1.0/a/q?match_hidden=true&hide=0&detail=attributes");
        Assert.Equal(3, all.Json.GetArrayLength());
        Assert.All(all.Json.EnumerateArray(), m => Assert.Equal(0, m.GetProperty("hide").GetInt64()));
        // No attribute: just matches.
        Assert.Equal(["m1", "m2", "m3"], (await Client.Post("/v1.0/a/q?detail=id")).Strings);
    }

    [Fact]
    public async Task Delete_messages_pops_visible_ones_only_unless_match_hidden()
    {
        await Client.Put("/v1.0/a/q/m1", "1");
        await Client.Put("/v1.0/a/q/m2?hide=60", "2");
        await Client.Put("/v1.0/a/q/m3", "3");
        var popped = await Client.Delete("/v1.0/a/q?limit=100&detail=all");
        Assert.Equal(["m1", "m3"], popped.Ids);
        Assert.Equal(["m2"], (await Client.Get("/v1.0/a/q?match_hidden=true")).Ids);
        await AssertNotFound(Client.Delete("/v1.0/a/q"), "Message not found");
        Assert.Equal(200, (await Client.Delete("/v1.0/a/q?match_hidden=true")).Status);
        await AssertNotFound(Client.Get("/v1.0/a/q"), "Account not found");
    }

    [Fact]
    public async Task Bodies_keep_non_ascii_text_and_control_characters()
    {
        var text = "h\u00e9llo \u2603 \U0001F600 \u0000\n\t\"";
        await Client.Put("/v1.0/a/q/m", text);
        Assert.Equal(text, (await Client.Get("/v1.0/a/q/m?detail=body")).Text);
        var json = await Client.Get("/v1.0/a/q?detail=body");
        Assert.Equal([text], json.Strings);
        Assert.DoesNotContain("\u2603", json.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bodies_that_are_not_utf8_are_refused_with_400()
    {
        var reply = await Client.PutBytes("/v1.0/a/q/m", [0xff, 0xfe, 0x00], "application/octet-stream");
        Assert.Equal(400, reply.Status);
        Assert.Equal("Invalid body", reply.Json.GetProperty("title").GetString());
        await AssertNotFound(Client.Get("/v1.0/a/q/m"), "Account not found");
    }

    [Fact]
    public async Task Form_encoded_bodies_are_stored_verbatim_and_never_read_as_parameters()
    {
        Assert.Equal(201, (await Client.PutBytes("/v1.0/a/q/m", "ttl=5&hide=9"u8.ToArray(), "application/x-www-form-urlencoded")).Status);
        var all = (await Client.Get("/v1.0/a/q/m")).Json;
        Assert.Equal("ttl=5&hide=9", all.GetProperty("body").GetString());
        Assert.Equal(600, all.GetProperty("ttl").GetInt64());
        Assert.Equal(0, all.GetProperty("hide").GetInt64());
    }

    [Fact]
    public async Task An_empty_body_is_allowed_and_detail_body_then_reads_as_an_empty_success()
    {
        Assert.Equal(201, (await Client.Put("/v1.0/a/q/m", "")).Status);
        var body = await Client.Get("/v1.0/a/q/m?detail=body");
        Assert.Equal(200, body.Status);
        Assert.Empty(body.Bytes);
        Assert.Equal("", (await Client.Get("/v1.0/a/q/m")).Json.GetProperty("body").GetString());
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_413()
    {
        await using var host = await BurrowTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Burrow:MaxMessageBytes"] = "10" });
        Assert.Equal(201, (await host.Client.Put("/v1.0/a/q/m", "0123456789")).Status);
        var reply = await host.Client.Put("/v1.0/a/q/n", "0123456789x");
        Assert.Equal(413, reply.Status);
        Assert.StartsWith("application/json", reply.ContentType);
    }

    internal static async Task AssertNotFound(Task<BurrowReply> request, string text)
    {
        var reply = await request;
        Assert.Equal(404, reply.Status);
        Assert.Equal(text, reply.Text);
        Assert.Equal("application/octet-stream", reply.ContentType);
    }
}
