using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>Messages: POST (batch), GET list / by ids, DELETE by ids / pop, GET and DELETE one.</summary>
internal static class MessagesEndpoints
{
    private const int MaxIdempotencyKeyLength = 256;

    /// <summary>Maps the message routes under <c>/v2</c>.</summary>
    public static void MapMessages(this IEndpointRouteBuilder v2)
    {
        v2.MapPost("/queues/{queue_name}/messages", ZaqarEndpoint.Handle(PostAsync));
        v2.MapGet("/queues/{queue_name}/messages", ZaqarEndpoint.Handle(GetAsync));
        v2.MapDelete("/queues/{queue_name}/messages", ZaqarEndpoint.Handle(DeleteAsync));
        v2.MapGet("/queues/{queue_name}/messages/{message_id}", ZaqarEndpoint.Handle(GetOneAsync));
        v2.MapDelete("/queues/{queue_name}/messages/{message_id}", ZaqarEndpoint.Handle(DeleteOneAsync));
    }

    internal static string QueueHref(ZaqarCall call) => call.Http.Request.PathBase.Value + "/v2/queues/" + call.Queue;

    /// <summary>POST /v2/queues/{q}/messages → 201 {"resources": […]}.</summary>
    public static async Task<Results<JsonBody, ZaqarError>> PostAsync(ZaqarCall call)
    {
        if (call.TryGetClientId(out var clientId) is { } clientError)
            return clientError;
        string? idempotencyKey = null;
        var keyHeader = call.Http.Request.Headers["Idempotency-Key"];
        if (keyHeader.Count > 0)
        {
            idempotencyKey = keyHeader[0];
            if (string.IsNullOrEmpty(idempotencyKey) || idempotencyKey.Length > MaxIdempotencyKeyLength || !idempotencyKey.All(c => c is > ' ' and < '\u007f'))
                return ZaqarError.BadRequest($"Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} printable ASCII characters.");
        }

        NewMessage[] messages;
        using (var body = await call.ReadBodyAsync(call.Options.MaxMessagesPostBytes).ConfigureAwait(false))
        {
            if (body.IsTooLarge)
                return ZaqarError.BadRequest($"Message collection size is too large. Max size {call.Options.MaxMessagesPostBytes}");
            if (MessagePostParser.TryParse(body.Span, call.Options, out messages) is { } parseError)
                return parseError;
        }

        var command = new PostMessages
        {
            Project = call.Project, Queue = call.Queue, ClientId = clientId, Messages = messages, IdempotencyKey = idempotencyKey,
        };
        var result = await call.ExecuteAsync(command).ConfigureAwait(false);
        switch (result.Code)
        {
            case ResultCode.Ok or ResultCode.Created when result is PostMessagesResult posted:
                var path = call.Path;
                return JsonBody.Create(201, (path, posted.MessageIds), static (w, s) =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("resources");
                    foreach (var id in s.MessageIds)
                        w.WriteStringValue(s.path + "/" + id);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }, path + "?ids=" + string.Join(',', posted.MessageIds));
            case ResultCode.PostTooLarge:
                return ZaqarError.BadRequest("Message collection size is too large for this queue's _max_messages_post_size.");
            default:
                return ZaqarResultCodes.ToError(result.Code, call);
        }
    }

    /// <summary>GET /v2/queues/{q}/messages: a page (or, with <c>ids</c>, those messages).</summary>
    public static async Task<Results<JsonBody, ZaqarError>> GetAsync(ZaqarCall call)
    {
        if (call.TryGetClientId(out var clientId) is { } clientError)
            return clientError;
        var ids = call.GetList("ids");
        if (ids is not null)
            return await GetByIdsAsync(call, ids).ConfigureAwait(false);

        var marker = call.GetString("marker");
        if (call.TryGetInt("limit", out var limit) is { } limitError)
            return limitError;
        if (call.TryGetBool("echo", out var echo) is { } echoError)
            return echoError;
        if (call.TryGetBool("include_claimed", out var includeClaimed) is { } claimedError)
            return claimedError;
        if (call.TryGetBool("include_delayed", out var includeDelayed) is { } delayedError)
            return delayedError;
        if (LongPoll.TryGetWait(call, out var waitSeconds) is { } waitError)
            return waitError;
        if (limit is { } l && (l < 1 || l > call.Options.MaxMessagesPerPage))
            return ZaqarError.BadRequest($"Limit must be at least 1 and may not be greater than {call.Options.MaxMessagesPerPage}.");

        var options = new ListMessagesOptions
        {
            Marker = marker,
            Limit = limit ?? call.Options.DefaultMessagesPerPage,
            Echo = echo ?? false,
            ClientId = clientId,
            IncludeClaimed = includeClaimed ?? false,
            IncludeDelayed = includeDelayed ?? false,
        };
        var (page, nowMs) = await LongPoll.RunAsync(call, waitSeconds, async () =>
        {
            var answer = await call.ReadAsync((q, now) => (q.ListMessages(call.Project, call.Queue, options, now), now)).ConfigureAwait(false);
            return (answer.Item1 is { Messages.Count: > 0 }, answer);
        }).ConfigureAwait(false);

        var queueHref = QueueHref(call);
        string? next = null;
        if (page is { Messages.Count: > 0 })
            next = call.Path + ZaqarJson.QueryString(("marker", page.NextMarker ?? marker), ("limit", limit), ("echo", echo),
                ("include_claimed", includeClaimed), ("include_delayed", includeDelayed));
        return JsonBody.Create(200, (page, nowMs, queueHref, next), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("messages");
            if (s.page is not null)
                foreach (var m in s.page.Messages)
                    ZaqarJson.WriteMessage(w, m, s.nowMs, s.queueHref, m.ClaimId);
            w.WriteEndArray();
            ZaqarJson.WriteLinks(w, s.next);
            w.WriteEndObject();
        });
    }

    private static async Task<Results<JsonBody, ZaqarError>> GetByIdsAsync(ZaqarCall call, List<string> ids)
    {
        if (ids.Count > call.Options.MaxMessagesPerPage)
            return ZaqarError.BadRequest($"Limit must be at least 1 and may not be greater than {call.Options.MaxMessagesPerPage}.");
        var (messages, nowMs) = await call.ReadAsync((q, now) => (q.GetMessages(call.Project, call.Queue, ids, now), now)).ConfigureAwait(false);
        if (messages.Count == 0)
            return ZaqarError.NotFound($"No messages with IDs: {string.Join(", ", ids)} found in the queue {call.Queue} for project {call.Project}.");
        var queueHref = QueueHref(call);
        return JsonBody.Create(200, (messages, nowMs, queueHref), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("messages");
            foreach (var m in s.messages)
                ZaqarJson.WriteMessage(w, m, s.nowMs, s.queueHref, m.ClaimId);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>DELETE /v2/queues/{q}/messages?ids=… (204) or ?pop=N (200 with the popped messages).</summary>
    public static async Task<Results<JsonBody, EmptyStatus, ZaqarError>> DeleteAsync(ZaqarCall call)
    {
        if (call.TryGetClientId(out _) is { } clientError)
            return clientError;
        var ids = call.GetList("ids");
        if (call.TryGetInt("pop", out var pop) is { } popError)
            return popError;
        if (pop is not null && ids is not null)
            return ZaqarError.BadRequest("pop and id params cannot be present together in the delete request.");
        if (pop is null && ids is null)
            return ZaqarError.BadRequest("The request should have either \"ids\" or \"pop\" parameter in the request, to be able to delete.");
        if (pop is { } n && (n < 1 || n > call.Options.MaxMessagesPerClaimOrPop))
            return ZaqarError.BadRequest($"Pop value must be at least 1 and may not be greater than {call.Options.MaxMessagesPerClaimOrPop}.");
        if (ids is not null && ids.Count > call.Options.MaxMessagesPerPage)
            return ZaqarError.BadRequest($"ids parameter should have at least 1 and not greater than {call.Options.MaxMessagesPerPage} values.");

        if (ids is not null)
        {
            var deleted = await call.ExecuteAsync(new DeleteMessages { Project = call.Project, Queue = call.Queue, MessageIds = [.. ids] })
                .ConfigureAwait(false);
            return deleted.Code is ResultCode.BadCommand ? ZaqarResultCodes.ToError(deleted.Code, call) : EmptyStatus.NoContent;
        }

        var result = await call.ExecuteAsync(new PopMessages { Project = call.Project, Queue = call.Queue, Limit = pop!.Value }).ConfigureAwait(false);
        if (result.Code is ResultCode.BadCommand)
            return ZaqarResultCodes.ToError(result.Code, call);
        var popped = (result as MessagesResult)?.Messages ?? [];
        return JsonBody.Create(200, (popped, result.NowMs), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("messages");
            foreach (var m in s.popped)
                ZaqarJson.WritePopped(w, m, s.NowMs);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>GET /v2/queues/{q}/messages/{id}.</summary>
    public static async Task<Results<JsonBody, ZaqarError>> GetOneAsync(ZaqarCall call)
    {
        if (call.TryGetClientId(out _) is { } clientError)
            return clientError;
        var id = call.Route("message_id");
        var (message, nowMs) = await call.ReadAsync((q, now) => (q.GetMessage(call.Project, call.Queue, id, now), now)).ConfigureAwait(false);
        if (message is null)
            return ZaqarError.NotFound($"Message {id} does not exist in queue {call.Queue} for project {call.Project}.");
        var queueHref = QueueHref(call);
        return JsonBody.Create(200, (message, nowMs, queueHref), static (w, s) => ZaqarJson.WriteMessage(w, s.message, s.nowMs, s.queueHref, s.message.ClaimId));
    }

    /// <summary>DELETE /v2/queues/{q}/messages/{id}[?claim_id=]: 204; a claimed message needs its live claim.</summary>
    public static async Task<Results<EmptyStatus, ZaqarError>> DeleteOneAsync(ZaqarCall call)
    {
        if (call.TryGetClientId(out _) is { } clientError)
            return clientError;
        var command = new DeleteMessage
        {
            Project = call.Project, Queue = call.Queue, MessageId = call.Route("message_id"), ClaimId = call.GetString("claim_id"),
        };
        var result = await call.ExecuteAsync(command).ConfigureAwait(false);
        const string title = "Unable to delete";
        return result.Code switch
        {
            ResultCode.Ok or ResultCode.NoContent or ResultCode.MessageNotFound or ResultCode.QueueNotFound => EmptyStatus.NoContent,
            ResultCode.MessageNotClaimed => new ZaqarError(400, title, "A claim was specified, but the message is not currently claimed."),
            ResultCode.ClaimNotFound => new ZaqarError(400, title, "The specified claim does not exist or has expired."),
            ResultCode.ClaimMismatch => new ZaqarError(403, title, "This message is claimed; it cannot be deleted without a valid claim ID."),
            _ => ZaqarResultCodes.ToError(result.Code, call),
        };
    }
}
