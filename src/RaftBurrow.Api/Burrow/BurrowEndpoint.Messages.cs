using Microsoft.AspNetCore.Http;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Burrow;

// GET/POST/DELETE /v1.0/{a}/{q}: a queue lives on one partition, so each operation is one read or
// one command there. POST (claim) and DELETE (pop) select and act in a single command, which is
// what keeps two concurrent workers from ever getting the same visible message.
internal sealed partial class BurrowEndpoint
{
    private async Task MessagesAsync(HttpContext context, BurrowPath path, BurrowQuery query)
    {
        var ct = context.RequestAborted;
        var (account, queue) = (path.Account, path.Queue);
        var partition = service.PartitionOf(QueueSpace.Burrow, account, queue);
        var method = context.Request.Method;
        var detail = DetailOf(query, HttpMethods.IsGet(method) ? BurrowDetail.All : BurrowDetail.None);
        var selector = query.Selector;

        Task<BurrowOutcome> Read(BurrowSelector s, CancellationToken token) =>
            service.ReadAsync(partition, (queries, nowMs) =>
            {
                var (code, messages) = queries.BurrowListMessages(account, queue, s, nowMs);
                return new BurrowOutcome(code, messages, nowMs);
            }, token);

        BurrowOutcome outcome;
        if (detail is null)
        {
            // The contract checks detail after the account and queue lookups, and those 404s wait.
            var any = new BurrowSelector { Limit = 1, MatchHidden = true };
            outcome = await longPoll.RunAsync(partition, query.WaitSeconds, t => Read(any, t), t => Read(any, t), ct);
            if (outcome.Code is ResultCode.AccountNotFound or ResultCode.QueueNotFound)
                await BurrowResponses.NotFound(context, await NotFoundTextAsync(outcome.Code, account, ct));
            else
                await BurrowResponses.InvalidDetail(context, query.Detail ?? "");
            return;
        }

        if (HttpMethods.IsGet(method))
        {
            outcome = await longPoll.RunAsync(partition, query.WaitSeconds, t => Read(selector, t), t => Read(selector, t), ct);
        }
        else
        {
            Command command = HttpMethods.IsPost(method)
                ? new BurrowUpdateMessages
                {
                    Project = account, Queue = queue, Selector = selector,
                    TtlSeconds = query.TtlSeconds, HideSeconds = query.HideSeconds,
                }
                : new BurrowDeleteMessages { Project = account, Queue = queue, Selector = selector };

            // While parked, look before proposing: an empty command would still be a log entry, and
            // every entry wakes every waiter of the partition.
            async Task<BurrowOutcome> ReadThenExecute(CancellationToken token)
            {
                var seen = await Read(selector, token);
                return seen.IsNotFound ? seen : await ExecuteAsync(partition, command, token);
            }

            outcome = await longPoll.RunAsync(partition, query.WaitSeconds, t => ExecuteAsync(partition, command, t), ReadThenExecute, ct);
        }

        if (outcome.IsNotFound)
        {
            await BurrowResponses.NotFound(context, await NotFoundTextAsync(outcome.Code, account, ct));
            return;
        }

        if (detail == BurrowDetail.None || outcome.Messages.Count == 0)
            await BurrowResponses.Empty(context);
        else
            await BurrowResponses.JsonBody(context, BurrowJson.Messages(outcome.Messages, detail.Value, outcome.NowMs));
    }
}
