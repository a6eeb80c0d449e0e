using System.Net;
using RaftBurrow.Client.Http;
using RaftBurrow.Client.Zaqar;

namespace RaftBurrow.Client.Tests;

/// <summary>Pure parts of the client: hrefs, node choice, retry rules, options.</summary>
public sealed class ClientUnitTests
{
    [Theory]
    [InlineData("/v2/queues/demo/messages/51db6f78c508f17ddc924357?claim_id=51db7067821e727dc24df754", "51db6f78c508f17ddc924357")]
    [InlineData("/v2/queues/demo/claims/51db7067821e727dc24df754", "51db7067821e727dc24df754")]
    [InlineData("abc", "abc")]
    public void Href_last_segment_is_the_id(string href, string id) => Assert.Equal(id, ZaqarHrefs.LastSegment(href));

    [Fact]
    public void Href_query_values_are_found_and_unescaped()
    {
        Assert.Equal("51db7067821e727dc24df754", ZaqarHrefs.QueryValue("/v2/queues/d/messages/1?claim_id=51db7067821e727dc24df754", "claim_id"));
        Assert.Equal("a b", ZaqarHrefs.QueryValue("/v2/queues?marker=a%20b&limit=2", "marker"));
        Assert.Null(ZaqarHrefs.QueryValue("/v2/queues?limit=2", "marker"));
        Assert.Null(ZaqarHrefs.QueryValue(null, "marker"));
    }

    [Fact]
    public void Round_robin_visits_every_node_and_skips_a_node_marked_down()
    {
        var nodes = new NodeSelector([new Uri("http://127.0.0.1:1/"), new Uri("http://127.0.0.1:2"), new Uri("http://127.0.0.1:3")],
            NodeSelection.RoundRobin, TimeSpan.FromHours(1));
        Assert.Equal([0, 1, 2, 0], Enumerable.Range(0, 4).Select(_ => nodes.First()));
        nodes.MarkDown(1);
        Assert.DoesNotContain(1, Enumerable.Range(0, 6).Select(_ => nodes.First()));
        Assert.Equal(2, nodes.After(0));
        nodes.MarkUp(1);
        Assert.Equal(1, nodes.After(0));
        Assert.Equal("http://127.0.0.1:1/", nodes[0].ToString()); // normalized: no path, no doubled slash later
    }

    [Fact]
    public void Prefer_first_sticks_to_the_first_node_until_it_is_down()
    {
        var nodes = new NodeSelector([new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:2")], NodeSelection.PreferFirst, TimeSpan.FromHours(1));
        Assert.Equal([0, 0, 0], Enumerable.Range(0, 3).Select(_ => nodes.First()));
        nodes.MarkDown(0);
        Assert.Equal(1, nodes.First());
        nodes.MarkDown(1);
        Assert.Equal(0, nodes.First()); // all down: still try rather than fail without asking
    }

    [Theory]
    [InlineData((int)RequestSafety.Idempotent, HttpStatusCode.ServiceUnavailable, false, true)]
    [InlineData((int)RequestSafety.Idempotent, HttpStatusCode.BadGateway, false, true)]
    [InlineData((int)RequestSafety.Idempotent, HttpStatusCode.GatewayTimeout, false, true)]
    [InlineData((int)RequestSafety.Idempotent, HttpStatusCode.MisdirectedRequest, false, true)]
    [InlineData((int)RequestSafety.Idempotent, HttpStatusCode.InternalServerError, false, false)]
    [InlineData((int)RequestSafety.Idempotent, HttpStatusCode.NotFound, false, false)]
    [InlineData((int)RequestSafety.NotIdempotent, HttpStatusCode.ServiceUnavailable, true, true)]
    [InlineData((int)RequestSafety.NotIdempotent, HttpStatusCode.ServiceUnavailable, false, false)]
    [InlineData((int)RequestSafety.NotIdempotent, HttpStatusCode.BadGateway, true, false)]
    public void Retry_rules(int safety, HttpStatusCode status, bool retryAfter, bool expected) =>
        Assert.Equal(expected, RaftBurrowTransport.ShouldRetry((RequestSafety)safety, status, retryAfter ? TimeSpan.Zero : null));

    [Fact]
    public void Urls_may_be_repeated_comma_separated_or_without_scheme()
    {
        var o = new RaftBurrowClientOptions().AddUrls("http://127.0.0.1:8888, 127.0.0.2:8888", "https://127.0.0.3");
        Assert.Equal(["http://127.0.0.1:8888/", "http://127.0.0.2:8888/", "https://127.0.0.3/"], o.BaseUrls.Select(u => u.ToString()));
        Assert.Throws<ArgumentException>(() => new RaftBurrowClientOptions().AddUrls("ftp://x"));
        Assert.Throws<ArgumentException>(() => new RaftBurrowClient(new RaftBurrowClientOptions()));
    }

    [Fact]
    public void Api_exception_message_names_the_request_and_the_server_error()
    {
        var ex = new RaftBurrowApiException(HttpStatusCode.BadRequest, "POST", new Uri("http://127.0.0.1:1/v2/queues/q/messages"),
            "Invalid API request", "ttl must be 60..1209600", "{...}");
        Assert.Equal("POST /v2/queues/q/messages: 400 BadRequest: Invalid API request: ttl must be 60..1209600", ex.Message);
        Assert.False(ex.IsRouteMissing);
        Assert.True(new RaftBurrowApiException(HttpStatusCode.NotFound, "POST", null, null, null, null).IsRouteMissing);
    }
}
