using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Tests;

/// <summary>Response shapes as in Zaqar's api-ref samples.</summary>
public class ZaqarJsonTests
{
    [Fact]
    public void Post_resources_give_message_ids()
    {
        Assert.Equal(["51db6f78c508f17ddc924357", "51db6f78c508f17ddc924358"],
            ZaqarJson.ParseResources("""{"resources": ["/v2/queues/demoqueue/messages/51db6f78c508f17ddc924357", "/v2/queues/demoqueue/messages/51db6f78c508f17ddc924358"]}"""));
    }

    [Fact]
    public void Claim_responses_as_a_bare_array_or_wrapped_give_id_claim_and_value()
    {
        const string bare = """[{"body": {"v": "17"}, "age": 239, "href": "/v2/queues/demoqueue/messages/51db6f78c508f17ddc924357?claim_id=51db7067821e727dc24df754", "ttl": 300}]""";
        const string wrapped = """{"messages": [{"body": {"v": "17"}, "age": 239, "href": "/v2/queues/demoqueue/messages/51db6f78c508f17ddc924357?claim_id=51db7067821e727dc24df754", "ttl": 300}]}""";
        foreach (var json in new[] { bare, wrapped })
        {
            var m = Assert.Single(ZaqarJson.ParseMessages(json));
            Assert.Equal("51db6f78c508f17ddc924357", m.Id);
            Assert.Equal("51db7067821e727dc24df754", m.ClaimId);
            Assert.Equal("17", m.Value);
        }
    }

    [Fact]
    public void Pop_and_list_responses_and_next_links()
    {
        const string pop = """{"messages": [{"body": {"v": "3"}, "age": 443, "claim_count": 1, "claim_id": "51db7067821e727dc24df754", "id": "578f0055508f153f256f717f", "ttl": 3600}]}""";
        var m = Assert.Single(ZaqarJson.ParseMessages(pop));
        Assert.Equal(("578f0055508f153f256f717f", "51db7067821e727dc24df754", "3"), (m.Id, m.ClaimId, m.Value));

        const string list = """{"messages": [{"body": {"v": "1"}, "href": "/v2/queues/beijing/messages/578edfe6508f153f256f717b", "id": "578edfe6508f153f256f717b"}], "links": [{"href": "/v2/queues/beijing/messages?marker=17&echo=true", "rel": "next"}]}""";
        Assert.Single(ZaqarJson.ParseMessages(list));
        Assert.Equal("/v2/queues/beijing/messages?marker=17&echo=true", ZaqarJson.NextLink(list));
        Assert.Null(ZaqarJson.NextLink("""{"messages": []}"""));
        Assert.Empty(ZaqarJson.ParseMessages(""));
    }

    [Fact]
    public void Request_bodies_have_the_zaqar_shape()
    {
        Assert.Equal("""{"messages":[{"ttl":3600,"body":{"v":"42"}}]}""", ZaqarJson.PostBody("42", 3600));
        Assert.Equal("""{"ttl":60,"grace":30}""", ZaqarJson.ClaimBody(60, 30));
        Assert.Equal("abc", ZaqarJson.QueryParam("/x?a=1&claim_id=abc", "claim_id"));
        Assert.Equal("c9", ZaqarJson.IdFromHref("/v2/queues/q/claims/c9"));
    }
}
