using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RaftBurrow.StateMachine;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>Claims: POST (201 with messages / 204 when none, <c>wait</c> long poll), GET, PATCH, DELETE.</summary>
internal static class ClaimsEndpoints
{
    private const int MinClaimTtlSeconds = 60;
    private const int MinClaimGraceSeconds = 60;
    private const int MaxClaimBodyBytes = 4096;

    /// <summary>Maps the claim routes under <c>/v2</c>.</summary>
    public static void MapClaims(this IEndpointRouteBuilder v2)
    {
        v2.MapPost("/queues/{queue_name}/claims", ZaqarEndpoint.Handle(CreateAsync));
        v2.MapGet("/queues/{queue_name}/claims/{claim_id}", ZaqarEndpoint.Handle(GetAsync));
        v2.MapMethods("/queues/{queue_name}/claims/{claim_id}", ["PATCH"], ZaqarEndpoint.Handle(UpdateAsync));
        v2.MapDelete("/queues/{queue_name}/claims/{claim_id}", ZaqarEndpoint.Handle(ReleaseAsync));
    }

    /// <summary>POST /v2/queues/{q}/claims[?limit=N][&amp;wait=S].</summary>
    public static async Task<Results<JsonBody, EmptyStatus, ZaqarError>> CreateAsync(ZaqarCall call)
    {
        if (call.TryGetInt("limit", out var limit) is { } limitError)
            return limitError;
        if (LongPoll.TryGetWait(call, out var waitSeconds) is { } waitError)
            return waitError;
        int ttl, grace;
        using (var body = await call.ReadBodyAsync(MaxClaimBodyBytes).ConfigureAwait(false))
        {
            if (body.IsTooLarge)
                return ZaqarError.BadBody("Request body is too large.");
            if (ReadTtlGrace(body, call.Options, out ttl, out grace) is { } bodyError)
                return bodyError;
        }
        if (ValidateTtl(ttl, call.Options) is { } ttlError)
            return ttlError;
        var max = call.Options.MaxMessagesPerClaimOrPop;
        if (limit is { } l && (l < 1 || l > max))
            return ZaqarError.BadRequest($"Limit must be at least 1 and may not be greater than {max}.");
        if (ValidateGrace(grace, call.Options) is { } graceError)
            return graceError;

        var command = new CreateClaim
        {
            Project = call.Project, Queue = call.Queue, TtlSeconds = ttl, GraceSeconds = grace, Limit = limit ?? call.Options.DefaultMessagesPerClaim,
        };
        var peek = new ListMessagesOptions { Limit = 1, Echo = true, IncludeClaimed = false, IncludeDelayed = false };
        var result = await LongPoll.RunAsync<CommandResult?>(call, waitSeconds, async () =>
        {
            if (waitSeconds > 0)
            {
                // While waiting, look before claiming: an empty claim would still be a log entry.
                var any = await call.ReadAsync((q, now) => q.ListMessages(call.Project, call.Queue, peek, now) is { Messages.Count: > 0 }).ConfigureAwait(false);
                if (!any)
                    return (false, null);
            }
            var claimed = await call.ExecuteAsync(command).ConfigureAwait(false);
            return (claimed is ClaimResult { Claim.Messages.Length: > 0 } || claimed.Code is not (ResultCode.NoContent or ResultCode.QueueNotFound or ResultCode.Ok), claimed);
        }).ConfigureAwait(false);

        if (result is ClaimResult { Claim: { Messages.Length: > 0 } claim } claimResult)
        {
            var queueHref = MessagesEndpoints.QueueHref(call);
            return JsonBody.Create(201, (claim, claimResult.NowMs, queueHref), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteStartArray("messages");
                foreach (var m in s.claim.Messages)
                    ZaqarJson.WriteMessage(w, m, s.NowMs, s.queueHref, s.claim.Id);
                w.WriteEndArray();
                w.WriteEndObject();
            }, call.Path + "/" + claim.Id);
        }
        if (result is null || result.Code is ResultCode.NoContent or ResultCode.QueueNotFound or ResultCode.Ok or ResultCode.Created)
            return EmptyStatus.NoContent;
        return ZaqarResultCodes.ToError(result.Code, call);
    }

    /// <summary>GET /v2/queues/{q}/claims/{id}.</summary>
    public static async Task<Results<JsonBody, ZaqarError>> GetAsync(ZaqarCall call)
    {
        var id = call.Route("claim_id");
        var (claim, nowMs) = await call.ReadAsync((q, now) => (q.GetClaim(call.Project, call.Queue, id, now), now)).ConfigureAwait(false);
        if (claim is null)
            return ZaqarError.NotFound($"Claim {id} does not exist in queue {call.Queue} for project {call.Project}");
        var queueHref = MessagesEndpoints.QueueHref(call);
        var href = call.Path;
        return JsonBody.Create(200, (claim, nowMs, queueHref, href), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteNumber("age", ZaqarJson.AgeSeconds(s.nowMs, s.claim.CreatedMs));
            w.WriteNumber("ttl", s.claim.TtlSeconds);
            w.WriteNumber("grace", s.claim.GraceSeconds);
            w.WriteString("href", s.href);
            w.WriteStartArray("messages");
            foreach (var m in s.claim.Messages)
                ZaqarJson.WriteMessage(w, m, s.nowMs, s.queueHref, s.claim.Id);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>PATCH /v2/queues/{q}/claims/{id} with {"ttl", "grace"} (missing fields take the defaults, as in Zaqar).</summary>
    public static async Task<Results<EmptyStatus, ZaqarError>> UpdateAsync(ZaqarCall call)
    {
        int ttl, grace;
        using (var body = await call.ReadBodyAsync(MaxClaimBodyBytes).ConfigureAwait(false))
        {
            if (body.IsTooLarge)
                return ZaqarError.BadBody("Request body is too large.");
            if (body.IsEmpty)
                return ZaqarError.BadBody("Request body can not be empty");
            if (ReadTtlGrace(body, call.Options, out ttl, out grace) is { } bodyError)
                return bodyError;
        }
        if ((ValidateTtl(ttl, call.Options) ?? ValidateGrace(grace, call.Options)) is { } rangeError)
            return rangeError;
        var result = await call.ExecuteAsync(new UpdateClaim
        {
            Project = call.Project, Queue = call.Queue, ClaimId = call.Route("claim_id"), TtlSeconds = ttl, GraceSeconds = grace,
        }).ConfigureAwait(false);
        return result.Code switch
        {
            ResultCode.Ok or ResultCode.NoContent => EmptyStatus.NoContent,
            ResultCode.ClaimNotFound or ResultCode.QueueNotFound =>
                ZaqarError.NotFound($"Claim {call.Route("claim_id")} does not exist in queue {call.Queue} for project {call.Project}"),
            _ => ZaqarResultCodes.ToError(result.Code, call),
        };
    }

    /// <summary>DELETE /v2/queues/{q}/claims/{id}: 204 (also when the claim is already gone).</summary>
    public static async Task<Results<EmptyStatus, ZaqarError>> ReleaseAsync(ZaqarCall call)
    {
        var result = await call.ExecuteAsync(new ReleaseClaim { Project = call.Project, Queue = call.Queue, ClaimId = call.Route("claim_id") })
            .ConfigureAwait(false);
        return result.Code is ResultCode.BadCommand ? ZaqarResultCodes.ToError(result.Code, call) : EmptyStatus.NoContent;
    }

    /// <summary>Reads {"ttl": int, "grace": int} in one pass (claims are a hot path); absent fields (or an empty body) take the configured defaults.</summary>
    private static ZaqarError? ReadTtlGrace(RequestBody body, ZaqarOptions options, out int ttl, out int grace)
    {
        ttl = options.DefaultClaimTtlSeconds;
        grace = options.DefaultClaimGraceSeconds;
        if (body.IsEmpty)
            return null;
        ZaqarError? typeError = null;
        try
        {
            var reader = new Utf8JsonReader(body.Span);
            if (!reader.Read())
                return ZaqarError.Malformed();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                while (reader.Read())
                {
                }
                return ZaqarError.DocumentType();
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("ttl"u8) ? 1 : reader.ValueTextEquals("grace"u8) ? 2 : 0;
                reader.Read();
                if (field == 0)
                {
                    reader.Skip();
                    continue;
                }
                var name = field == 1 ? "ttl" : "grace";
                int value;
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                    value = (int)Math.Clamp(number, int.MinValue, int.MaxValue);
                else if (reader.TokenType == JsonTokenType.Number && !reader.HasValueSequence && reader.ValueSpan.IndexOfAny("."u8[0], (byte)'e', (byte)'E') < 0)
                    value = reader.ValueSpan[0] == (byte)'-' ? int.MinValue : int.MaxValue;
                else
                {
                    typeError ??= ZaqarError.BadBody($"The value of the \"{name}\" field must be a int.");
                    reader.Skip();
                    continue;
                }
                if (field == 1)
                    ttl = value;
                else
                    grace = value;
            }
            while (reader.Read())
            {
            }
        }
        catch (JsonException)
        {
            return ZaqarError.Malformed();
        }
        return typeError;
    }

    private static ZaqarError? ValidateTtl(int ttl, ZaqarOptions options) =>
        ttl < MinClaimTtlSeconds || ttl > options.MaxClaimTtlSeconds
            ? ZaqarError.BadRequest($"The TTL for a claim may not exceed {options.MaxClaimTtlSeconds} seconds, and must be at least {MinClaimTtlSeconds} seconds long.")
            : null;

    private static ZaqarError? ValidateGrace(int grace, ZaqarOptions options) =>
        grace < MinClaimGraceSeconds || grace > options.MaxClaimGraceSeconds
            ? ZaqarError.BadRequest($"The grace for a claim may not exceed {options.MaxClaimGraceSeconds} seconds, and must be at least {MinClaimGraceSeconds} seconds long.")
            : null;
}
