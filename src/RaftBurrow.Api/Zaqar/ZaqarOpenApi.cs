using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// An OpenAPI 3.0 description of the Zaqar v2 routes, served at <c>GET /v2/openapi.json</c>. It is
/// written from a route table here (the handlers are plain request delegates, so nothing is
/// inferred by reflection); a test checks that every mapped route is described.
/// </summary>
internal static class ZaqarOpenApi
{
    internal sealed record Param(string Name, string In, string Type, string Description, bool Required = false);

    internal sealed record Operation(string Method, string Path, string Tag, string Summary, string? BodySchema, string[] Responses, Param[] Parameters);

    private static readonly Param QueueName = new("queue_name", "path", "string", "1-64 of ASCII letters, digits, '_', '-', '.'", true);
    private static readonly Param ClientId = new("Client-ID", "header", "string", "A UUID identifying the client (required on message routes)", true);
    private static readonly Param Wait = new("wait", "query", "integer", "RaftBurrow extension: long-poll up to this many seconds (0-20)");
    private static Param Id(string name) => new(name, "path", "string", "Identifier", true);

    /// <summary>Every operation (kept in step with the Map* methods; a test compares them).</summary>
    internal static readonly Operation[] Operations =
    [
        new("get", "/", "System", "API versions", null, ["300"], []),
        new("get", "/v2/", "System", "Home document", null, ["200"], []),
        new("get", "/v2/ping", "System", "Liveness", null, ["204"], []),
        new("head", "/v2/ping", "System", "Liveness", null, ["204"], []),
        new("get", "/v2/health", "System", "Detailed health per partition", null, ["200"], []),
        new("get", "/v2/openapi.json", "System", "This document", null, ["200"], []),
        new("get", "/v2/queues", "Queues", "List queues (merged by name across partitions)", null, ["200", "400"],
            [new("marker", "query", "string", "Last name of the previous page"), new("limit", "query", "integer", "1-20, default 10"),
             new("detailed", "query", "boolean", "Include metadata"), new("with_count", "query", "boolean", "Include the project's queue count"),
             new("name", "query", "string", "Only names containing this")]),
        new("put", "/v2/queues/{queue_name}", "Queues", "Create a queue or replace its metadata", "Metadata", ["201", "204", "400"], [QueueName]),
        new("get", "/v2/queues/{queue_name}", "Queues", "Queue metadata", null, ["200", "404"], [QueueName]),
        new("patch", "/v2/queues/{queue_name}", "Queues", "Patch metadata (application/openstack-messaging-v2.0-json-patch)", "JsonPatch",
            ["200", "400", "404", "409", "415"], [QueueName]),
        new("delete", "/v2/queues/{queue_name}", "Queues", "Delete a queue", null, ["204"], [QueueName]),
        new("get", "/v2/queues/{queue_name}/stats", "Queues", "Message statistics", null, ["200"], [QueueName]),
        new("post", "/v2/queues/{queue_name}/purge", "Queues", "Purge messages and/or subscriptions", "Purge", ["204", "400"], [QueueName]),
        new("post", "/v2/queues/{queue_name}/share", "Queues", "Create a pre-signed URL grant", "Share", ["200", "400"], [QueueName]),
        new("post", "/v2/queues/{queue_name}/messages", "Messages", "Post messages", "PostMessages", ["201", "400"],
            [QueueName, ClientId, new("Idempotency-Key", "header", "string", "RaftBurrow extension: a retry with the same key returns the first response")]),
        new("get", "/v2/queues/{queue_name}/messages", "Messages", "List messages, or get some by ids", null, ["200", "400", "404"],
            [QueueName, ClientId, new("ids", "query", "string", "Comma-separated ids (then the other parameters are ignored)"),
             new("marker", "query", "string", "From the previous page's next link"), new("limit", "query", "integer", "1-20, default 10"),
             new("echo", "query", "boolean", "Include this client's own messages"), new("include_claimed", "query", "boolean", "Include claimed messages"),
             new("include_delayed", "query", "boolean", "Include delayed messages"), Wait]),
        new("delete", "/v2/queues/{queue_name}/messages", "Messages", "Delete by ids, or pop", null, ["200", "204", "400"],
            [QueueName, ClientId, new("ids", "query", "string", "Comma-separated ids"), new("pop", "query", "integer", "1-20 messages to claim and delete")]),
        new("get", "/v2/queues/{queue_name}/messages/{message_id}", "Messages", "Get a message", null, ["200", "404"], [QueueName, Id("message_id"), ClientId]),
        new("delete", "/v2/queues/{queue_name}/messages/{message_id}", "Messages", "Delete a message", null, ["204", "400", "403"],
            [QueueName, Id("message_id"), ClientId, new("claim_id", "query", "string", "Required when the message is claimed")]),
        new("post", "/v2/queues/{queue_name}/claims", "Claims", "Claim messages", "Claim", ["201", "204", "400"],
            [QueueName, new("limit", "query", "integer", "1-20, default 10"), Wait]),
        new("get", "/v2/queues/{queue_name}/claims/{claim_id}", "Claims", "Query a claim", null, ["200", "404"], [QueueName, Id("claim_id")]),
        new("patch", "/v2/queues/{queue_name}/claims/{claim_id}", "Claims", "Renew a claim", "Claim", ["204", "400", "404"], [QueueName, Id("claim_id")]),
        new("delete", "/v2/queues/{queue_name}/claims/{claim_id}", "Claims", "Release a claim", null, ["204"], [QueueName, Id("claim_id")]),
        new("get", "/v2/queues/{queue_name}/subscriptions", "Subscriptions", "List subscriptions", null, ["200", "400"],
            [QueueName, new("marker", "query", "string", "Last id of the previous page"), new("limit", "query", "integer", "1-20, default 10")]),
        new("post", "/v2/queues/{queue_name}/subscriptions", "Subscriptions", "Subscribe", "Subscription", ["201", "400", "409"], [QueueName]),
        new("get", "/v2/queues/{queue_name}/subscriptions/{subscription_id}", "Subscriptions", "Get a subscription", null, ["200", "404"],
            [QueueName, Id("subscription_id")]),
        new("patch", "/v2/queues/{queue_name}/subscriptions/{subscription_id}", "Subscriptions", "Update a subscription", "Subscription",
            ["204", "400", "404", "409"], [QueueName, Id("subscription_id")]),
        new("delete", "/v2/queues/{queue_name}/subscriptions/{subscription_id}", "Subscriptions", "Unsubscribe", null, ["204"], [QueueName, Id("subscription_id")]),
        new("put", "/v2/queues/{queue_name}/subscriptions/{subscription_id}/confirm", "Subscriptions", "Confirm or unconfirm", "Confirm",
            ["204", "400", "404"], [QueueName, Id("subscription_id")]),
    ];

    private static readonly (string Name, string Json)[] Schemas =
    [
        ("Error", """{"type":"object","required":["title","description"],"properties":{"title":{"type":"string"},"description":{"type":"string"}}}"""),
        ("Metadata", """{"type":"object","additionalProperties":true,"properties":{"_default_message_ttl":{"type":"integer","minimum":60},"_default_message_delay":{"type":"integer","minimum":0},"_max_messages_post_size":{"type":"integer","minimum":1},"_max_claim_count":{"type":"integer"},"_dead_letter_queue":{"type":"string"},"_dead_letter_queue_messages_ttl":{"type":"integer","minimum":60}}}"""),
        ("JsonPatch", """{"type":"array","items":{"type":"object","required":["op","path"],"properties":{"op":{"type":"string","enum":["add","remove","replace"]},"path":{"type":"string","example":"/metadata/key"},"value":{}}}}"""),
        ("Purge", """{"type":"object","required":["resource_types"],"properties":{"resource_types":{"type":"array","items":{"type":"string","enum":["messages","subscriptions"]}}}}"""),
        ("Share", """{"type":"object","properties":{"paths":{"type":"array","items":{"type":"string","enum":["messages","subscriptions","claims"]}},"methods":{"type":"array","items":{"type":"string"}},"expires":{"type":"string","example":"2030-01-01T00:00:00"}}}"""),
        ("PostMessages", """{"type":"object","required":["messages"],"properties":{"messages":{"type":"array","minItems":1,"items":{"type":"object","required":["body"],"properties":{"ttl":{"type":"integer","minimum":60,"maximum":1209600},"delay":{"type":"integer","minimum":0,"maximum":900},"body":{}}}}}}"""),
        ("Claim", """{"type":"object","properties":{"ttl":{"type":"integer","minimum":60,"maximum":43200},"grace":{"type":"integer","minimum":60,"maximum":43200}}}"""),
        ("Subscription", """{"type":"object","properties":{"subscriber":{"type":"string","example":"http://127.0.0.1:5679/hook"},"ttl":{"type":"integer","minimum":60},"options":{"type":"object"}}}"""),
        ("Confirm", """{"type":"object","required":["confirmed"],"properties":{"confirmed":{"type":"boolean"}}}"""),
    ];

    private static readonly Lazy<byte[]> Document = new(Build);

    /// <summary>Maps <c>GET /v2/openapi.json</c>.</summary>
    public static void MapOpenApiDocument(this IEndpointRouteBuilder v2) =>
        v2.MapGet("/openapi.json", ZaqarEndpoint.Handle(_ => Task.FromResult(JsonBody.Create(200, Document.Value, static (w, d) => w.WriteRawValue(d, true)))));

    private static byte[] Build()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("openapi", "3.0.3");
            w.WriteStartObject("info");
            w.WriteString("title", "RaftBurrow: OpenStack Zaqar v2 API");
            w.WriteString("version", "2");
            w.WriteString("description", "Zaqar v2 in noauth mode (X-Project-ID is the tenant), served by a Raft-replicated queue service. See docs/api.md.");
            w.WriteEndObject();
            w.WriteStartObject("paths");
            foreach (var path in Operations.GroupBy(o => o.Path))
            {
                w.WriteStartObject(path.Key);
                foreach (var op in path)
                    WriteOperation(w, op);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("components");
            w.WriteStartObject("schemas");
            foreach (var (name, json) in Schemas)
            {
                w.WritePropertyName(name);
                w.WriteRawValue(json);
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteOperation(Utf8JsonWriter w, Operation op)
    {
        w.WriteStartObject(op.Method);
        w.WriteStartArray("tags");
        w.WriteStringValue(op.Tag);
        w.WriteEndArray();
        w.WriteString("summary", op.Summary);
        w.WriteString("operationId", op.Method + op.Path.Replace("/", "_", StringComparison.Ordinal).Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal).Replace(".", "_", StringComparison.Ordinal));
        w.WriteStartArray("parameters");
        var parameters = op.Path.StartsWith("/v2", StringComparison.Ordinal)
            ? op.Parameters.Append(new Param("X-Project-ID", "header", "string", "The tenant (noauth mode)"))
            : op.Parameters;
        foreach (var p in parameters)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("in", p.In);
            w.WriteBoolean("required", p.Required);
            w.WriteString("description", p.Description);
            w.WriteStartObject("schema");
            w.WriteString("type", p.Type);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (op.BodySchema is not null)
        {
            w.WriteStartObject("requestBody");
            w.WriteStartObject("content");
            w.WriteStartObject(op.BodySchema == "JsonPatch" ? QueueMetadata.PatchMediaType : "application/json");
            w.WriteStartObject("schema");
            w.WriteString("$ref", "#/components/schemas/" + op.BodySchema);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteStartObject("responses");
        foreach (var code in op.Responses.Append("503"))
        {
            w.WriteStartObject(code);
            w.WriteString("description", code switch
            {
                "200" => "OK", "201" => "Created", "204" => "No content", "300" => "Multiple choices", "400" => "Invalid request",
                "403" => "Claimed message without its claim", "404" => "Not found", "409" => "Conflict", "415" => "Unsupported media type",
                _ => "No leader reachable (Retry-After)",
            });
            if (code is not ("200" or "201" or "204" or "300"))
            {
                w.WriteStartObject("content");
                w.WriteStartObject("application/json");
                w.WriteStartObject("schema");
                w.WriteString("$ref", "#/components/schemas/Error");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
