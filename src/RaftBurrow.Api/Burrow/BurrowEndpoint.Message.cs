using System.Text;
using Microsoft.AspNetCore.Http;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Burrow;

// GET/PUT/POST/DELETE /v1.0/{a}/{q}/{m}: one read or one command on the queue's partition.
internal sealed partial class BurrowEndpoint
{
    private async Task MessageAsync(HttpContext context, BurrowPath path, BurrowQuery query)
    {
        var ct = context.RequestAborted;
        var partition = service.PartitionOf(QueueSpace.Burrow, path.Account, path.Queue);
        var method = context.Request.Method;
        if (HttpMethods.IsPut(method))
        {
            await PutAsync(context, path, query, partition);
            return;
        }

        var detail = DetailOf(query, HttpMethods.IsGet(method) ? BurrowDetail.All : BurrowDetail.None);
        BurrowOutcome outcome;
        if (HttpMethods.IsGet(method) || detail is null)
        {
            // A lookup: GET itself, or the 404-before-400 check of a POST/DELETE with a bad detail
            // (which must change nothing).
            outcome = await service.ReadAsync(partition, (queries, nowMs) =>
            {
                var (code, message) = queries.BurrowGetMessage(path.Account, path.Queue, path.Message, nowMs);
                return new BurrowOutcome(code, message is null ? [] : [message], nowMs);
            }, ct);
        }
        else
        {
            Command command = HttpMethods.IsPost(method)
                ? new BurrowUpdateMessage
                {
                    Project = path.Account, Queue = path.Queue, MessageId = path.Message,
                    TtlSeconds = query.TtlSeconds, HideSeconds = query.HideSeconds,
                }
                : new BurrowDeleteMessage { Project = path.Account, Queue = path.Queue, MessageId = path.Message };
            outcome = await ExecuteAsync(partition, command, ct);
        }

        if (outcome.IsNotFound || outcome.Messages.Count == 0)
        {
            await BurrowResponses.NotFound(context, await NotFoundTextAsync(outcome.Code, path.Account, ct));
            return;
        }

        if (detail is null)
        {
            await BurrowResponses.InvalidDetail(context, query.Detail ?? "");
            return;
        }

        var message = outcome.Messages[0];
        await (detail.Value switch
        {
            BurrowDetail.None => BurrowResponses.Empty(context),
            BurrowDetail.Id => BurrowResponses.RawBody(context, Encoding.UTF8.GetBytes(message.Id)),
            BurrowDetail.Body => BurrowResponses.RawBody(context, message.Body),
            _ => BurrowResponses.JsonBody(context, BurrowJson.Message(message, detail.Value, outcome.NowMs)),
        });
    }

    private async Task PutAsync(HttpContext context, BurrowPath path, BurrowQuery query, int partition)
    {
        var body = await ReadBodyAsync(context.Request, Options.MaxMessageBytes, context.RequestAborted);
        try
        {
            _ = BurrowPath.StrictUtf8.GetCharCount(body);
        }
        catch (DecoderFallbackException)
        {
            // Burrow bodies are text (JSON listings carry them as strings); refusing bytes that are not
            // UTF-8 keeps every listing lossless.
            throw new BurrowBadRequestException("Invalid body", "A message body must be UTF-8 text.");
        }

        var command = new BurrowPutMessage
        {
            Project = path.Account,
            Queue = path.Queue,
            MessageId = path.Message,
            Body = body,
            TtlSeconds = query.TtlSeconds ?? Options.DefaultTtlSeconds,
            HideSeconds = query.HideSeconds ?? 0,
        };
        var outcome = await ExecuteAsync(partition, command, context.RequestAborted);
        await BurrowResponses.Empty(context, outcome.Code == ResultCode.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    /// <summary>Reads the whole body, refusing more than <paramref name="maxBytes"/> (413).</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static BurrowBadRequestException TooLarge(int maxBytes) =>
        new("Body too large", $"A message body may have at most {maxBytes} bytes (Burrow:MaxMessageBytes).", StatusCodes.Status413PayloadTooLarge);
}
