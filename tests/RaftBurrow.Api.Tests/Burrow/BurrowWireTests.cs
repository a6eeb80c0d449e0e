using System.Text.Json;
using RaftBurrow.Api.Tests.Burrow.Support;

namespace RaftBurrow.Api.Tests.Burrow;

/// <summary>
/// Contract §4 on real Kestrel (127.0.0.1, ephemeral port): the wire behaviour Burrow's own client
/// depends on, driven by <see cref="BurrowWireClient"/>, a restatement of that client. The
/// scenarios follow Burrow's backend test suite as run through its HTTP backend (whose server used
/// default_ttl 0).
/// </summary>
public sealed class BurrowWireTests : IAsyncLifetime
{
    private BurrowTestHost _host = null!;
    private BurrowWireClient _client = null!;

    public async Task InitializeAsync()
    {
        // Fake time: remaining ttl/hide are compared exactly, which a real second boundary could break.
        _host = await BurrowTestHost.StartAsync(kestrel: true, fakeTime: true, settings: new Dictionary<string, string?> { ["Burrow:DefaultTtlSeconds"] = "0" });
        _client = new BurrowWireClient(_host.BaseAddress);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static Dictionary<string, object> Obj(object item) =>
        ((JsonElement)item).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
        {
            JsonValueKind.Number => (object)p.Value.GetInt64(),
            _ => p.Value.GetString()!,
        });

    private static Dictionary<string, object> Message(string id, long ttl, long hide, string? body = null)
    {
        var d = new Dictionary<string, object> { ["id"] = id, ["ttl"] = ttl, ["hide"] = hide };
        if (body is not null)
            d["body"] = body;
        return d;
    }

    private static string Str(object item) => item is JsonElement e ? e.GetString()! : (string)item;

    [Fact]
    public async Task Every_success_carries_content_length_even_when_empty()
    {
        var put = await _client.RequestAsync("PUT", "/a/q/m", "test");
        Assert.Equal([true], put);
        Assert.Empty(await _client.RequestAsync("PUT", "/a/q/m", "test"));
        Assert.Empty(await _client.RequestAsync("POST", "/a/q?hide=0"));
        Assert.Empty(await _client.RequestAsync("POST", "/a/q/m?hide=0"));
        Assert.Empty(await _client.RequestAsync("GET", "/a/q?detail=none"));
        Assert.Empty(await _client.RequestAsync("GET", "/a?detail=none"));
        Assert.Empty(await _client.RequestAsync("GET", "?detail=none"));
        Assert.Equal(["test"], (await _client.RequestAsync("GET", "/a/q/m?detail=body")).Select(Str));
        Assert.Empty(await _client.RequestAsync("DELETE", "/a/q/m"));
        await _client.RequestAsync("PUT", "/a/q/m", "test");
        Assert.Empty(await _client.RequestAsync("DELETE", "/a/q"));
        await _client.RequestAsync("PUT", "/a/q/m", "test");
        Assert.Empty(await _client.RequestAsync("DELETE", "/a"));
        await _client.RequestAsync("PUT", "/a/q/m", "test");
        Assert.Empty(await _client.RequestAsync("DELETE", ""));
    }

    [Fact]
    public async Task Empty_store_raises_not_found_at_every_level()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => _client.GetAccounts());
        await Assert.ThrowsAsync<NotFoundException>(() => _client.GetQueues("a"));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.GetMessages("a", "q"));
    }

    [Fact]
    public async Task Accounts_basic_and_detail_levels()
    {
        await _client.CreateMessage("a", "q", "m", "test");
        Assert.Equal(["a"], (await _client.GetAccounts()).Select(Str));
        Assert.Equal(["a"], (await _client.GetAccounts("?detail=all")).Select(o => (string)Obj(o)["id"]));
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => _client.GetAccounts("?detail=bad"));
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => _client.DeleteAccounts("?detail=bad"));
        Assert.Equal(["a"], (await _client.DeleteAccounts("?detail=id")).Select(Str));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.GetAccounts());
    }

    [Fact]
    public async Task Accounts_marker_and_limit_like_the_backend_tests()
    {
        foreach (var a in new[] { "a1", "a2", "a3" })
            await _client.CreateMessage(a, "q", "m", "test");
        var accounts = (await _client.GetAccounts()).Select(Str).ToList();
        Assert.Equal(3, accounts.Count);
        Assert.Equal(accounts[1..], (await _client.GetAccounts($"?marker={accounts[0]}")).Select(Str));
        Assert.Equal(accounts[2..], (await _client.GetAccounts($"?marker={accounts[1]}")).Select(Str));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.GetAccounts($"?marker={accounts[2]}"));
        Assert.Equal(accounts, (await _client.GetAccounts("?marker=unknown")).Select(Str));
        Assert.Equal(accounts[..2], (await _client.GetAccounts("?limit=2")).Select(Str));
        Assert.Equal(accounts, (await _client.GetAccounts("?limit=4")).Select(Str));
        Assert.Equal(accounts[2..3], (await _client.GetAccounts($"?marker={accounts[1]}&limit=1")).Select(Str));
        Assert.Equal(accounts[1..2], (await _client.DeleteAccounts($"?marker={accounts[0]}&limit=1&detail=id")).Select(Str));
        Assert.Empty(await _client.DeleteAccounts());
    }

    [Fact]
    public async Task Messages_basic_like_the_backend_tests()
    {
        Assert.True(await _client.CreateMessage("a", "q", "m", "test"));
        Assert.Equal([Message("m", 0, 0, "test")], (await _client.GetMessages("a", "q")).Select(Obj));
        Assert.Empty(await _client.UpdateMessages("a", "q", "?ttl=100&hide=200"));
        Assert.Empty(await _client.UpdateMessages("a", "q", "?ttl=0&hide=0&match_hidden=True"));
        Assert.Empty(await _client.UpdateMessages("a", "q", "?match_hidden=True"));
        Assert.Empty(await _client.DeleteMessages("a", "q", "?match_hidden=True"));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.DeleteMessages("a", "q"));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.UpdateMessages("a", "q", "?ttl=0&hide=0"));
    }

    [Fact]
    public async Task Delete_messages_detail_levels_like_the_backend_tests()
    {
        await _client.CreateMessage("a", "q", "m", "test");
        Assert.Equal([Message("m", 0, 0)], (await _client.DeleteMessages("a", "q", "?detail=attributes")).Select(Obj));
        await _client.CreateMessage("a", "q", "m", "test");
        Assert.Equal(["test"], (await _client.DeleteMessages("a", "q", "?detail=body")).Select(Str));
        await _client.CreateMessage("a", "q", "m", "test");
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => _client.DeleteMessages("a", "q", "?detail=bad"));
        Assert.Equal(["m"], (await _client.DeleteMessages("a", "q", "?detail=id")).Select(Str));
    }

    [Fact]
    public async Task Update_messages_marker_limit_like_the_backend_tests()
    {
        foreach (var m in new[] { "m1", "m2", "m3" })
            await _client.CreateMessage("a", "q", m, "test");
        var messages = (await _client.UpdateMessages("a", "q", "?ttl=100&hide=200&detail=all&match_hidden=True")).Select(Obj).ToList();
        Assert.Equal(3, messages.Count);
        Assert.Equal(messages[2..3], (await _client.UpdateMessages("a", "q", $"?ttl=100&hide=200&detail=all&match_hidden=True&marker={messages[1]["id"]}&limit=1")).Select(Obj));
        Assert.Equal(messages[1..3], (await _client.UpdateMessages("a", "q", $"?ttl=100&hide=200&detail=all&match_hidden=True&marker={messages[0]["id"]}&limit=2")).Select(Obj));
    }

    [Fact]
    public async Task Single_message_like_the_backend_tests()
    {
        Assert.True(await _client.CreateMessage("a", "q", "m", "test1"));
        Assert.Equal(Message("m", 0, 0, "test1"), Obj((await _client.Message("GET", "a", "q", "m"))!));
        Assert.False(await _client.CreateMessage("a", "q", "m", "test2", "?ttl=100&hide=200"));
        Assert.Equal(Message("m", 100, 200, "test2"), Obj((await _client.Message("GET", "a", "q", "m"))!));
        Assert.Null(await _client.Message("POST", "a", "q", "m", "?ttl=0&hide=0"));
        Assert.Null(await _client.Message("POST", "a", "q", "m"));
        Assert.Equal("m", (string)(await _client.Message("GET", "a", "q", "m", "?detail=id"))!);
        Assert.Equal("test2", (string)(await _client.Message("GET", "a", "q", "m", "?detail=body"))!);
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => _client.Message("POST", "a", "q", "m", "?ttl=100&detail=bad"));
        Assert.Null(await _client.Message("DELETE", "a", "q", "m"));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.Message("GET", "a", "q", "m"));
    }

    [Fact]
    public async Task A_waiting_get_returns_a_message_put_after_it_started()
    {
        var get = _client.GetMessages("a", "q", "?wait=60");
        await _host.WaitUntilParkedAsync(1);
        await _client.CreateMessage("a", "q", "m", "test");
        Assert.Equal([Message("m", 0, 0, "test")], (await get.WaitAsync(TimeSpan.FromSeconds(30))).Select(Obj));
    }

    [Fact]
    public async Task A_waiting_get_returns_a_message_unhidden_after_it_started()
    {
        await _client.CreateMessage("a", "q", "m", "test", "?hide=100");
        var get = _client.GetMessages("a", "q", "?wait=60");
        await _host.WaitUntilParkedAsync(1);
        Assert.Empty(await _client.UpdateMessages("a", "q", "?hide=0&match_hidden=True"));
        Assert.Equal([Message("m", 0, 0, "test")], (await get.WaitAsync(TimeSpan.FromSeconds(30))).Select(Obj));
    }

    [Fact]
    public async Task Bad_numbers_raise_invalid_arguments_not_a_server_error()
    {
        await _client.CreateMessage("a", "q", "m", "test");
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => _client.GetMessages("a", "q", "?limit=ten"));
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => _client.UpdateMessages("a", "q", "?hide=soon"));
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => _client.CreateMessage("a", "q", "n", "x", "?ttl=-1"));
    }

    [Fact]
    public async Task Kestrel_raw_target_rules_apply_on_the_wire()
    {
        await _client.CreateMessage("a", "q", "m", "test");
        await Assert.ThrowsAsync<NotFoundException>(() => _client.RequestAsync("GET", "/a/q/m%2Fe"));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.RequestAsync("GET", "/a/q/"));
        await Assert.ThrowsAsync<InvalidArgumentsException>(() => _client.RequestAsync("PUT", "/a/q/%FF", "x"));
        Assert.True(await _client.CreateMessage("a", "q", "50%25%20off", "x"));
        Assert.Equal("50% off", (string)(await _client.Message("GET", "a", "q", "50%25%20off", "?detail=id"))!);
        var head = await Assert.ThrowsAsync<InvalidOperationException>(() => _client.RequestAsync("HEAD", "/a/q/m"));
        Assert.Contains("405", head.Message, StringComparison.Ordinal);
    }
}
