using Microsoft.AspNetCore.Http;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Burrow;

// GET/DELETE /v1.0 and /v1.0/{a}: accounts and queues live on many partitions, so these scatter a
// read to every partition, merge in creation order, select, and (DELETE) delete per partition.
// The delete is not one atomic step across partitions: a queue created elsewhere after the
// selection survives it, exactly as if it had been created just after the DELETE.
internal sealed partial class BurrowEndpoint
{
    private async Task AccountsAsync(HttpContext context, BurrowQuery query)
    {
        var delete = HttpMethods.IsDelete(context.Request.Method);
        var ct = context.RequestAborted;
        var detail = DetailOf(query, delete ? BurrowDetail.None : BurrowDetail.Id);
        if (detail is null || !BurrowDetails.ValidForNames(detail.Value))
        {
            await BurrowResponses.InvalidDetail(context, query.Detail ?? "");
            return;
        }

        var perPartition = await service.ReadAllAsync((queries, nowMs) => queries.BurrowListAccounts(nowMs), ct);
        var selected = BurrowListing.Select(BurrowListing.Merge(perPartition), a => a.Name, query.Marker, query.Limit);
        if (selected.Count == 0)
        {
            await BurrowResponses.NotFound(context, "Account not found");
            return;
        }

        if (delete)
        {
            await Task.WhenAll(selected.SelectMany(account => account.Partitions.Select(partition =>
                ExecuteAsync(partition, new BurrowDeleteAccount { Project = account.Name }, ct))));
        }

        await WriteNames(context, selected, detail.Value);
    }

    private async Task QueuesAsync(HttpContext context, string account, BurrowQuery query)
    {
        var delete = HttpMethods.IsDelete(context.Request.Method);
        var ct = context.RequestAborted;
        var perPartition = await service.ReadAllAsync((queries, nowMs) => queries.BurrowListQueues(account, nowMs), ct);
        var queues = BurrowListing.Merge(perPartition);
        if (queues.Count == 0)
        {
            await BurrowResponses.NotFound(context, "Account not found");
            return;
        }

        var detail = DetailOf(query, delete ? BurrowDetail.None : BurrowDetail.Id);
        if (detail is null || !BurrowDetails.ValidForNames(detail.Value))
        {
            await BurrowResponses.InvalidDetail(context, query.Detail ?? "");
            return;
        }

        var selected = BurrowListing.Select(queues, q => q.Name, query.Marker, query.Limit);
        if (selected.Count == 0)
        {
            await BurrowResponses.NotFound(context, "Queue not found");
            return;
        }

        if (delete)
        {
            await Task.WhenAll(selected.Select(queue =>
                ExecuteAsync(queue.Partition, new BurrowDeleteQueue { Project = account, Queue = queue.Name }, ct)));
        }

        await WriteNames(context, selected, detail.Value);
    }

    private static Task WriteNames(HttpContext context, List<BurrowName> names, BurrowDetail detail) =>
        detail == BurrowDetail.None
            ? BurrowResponses.Empty(context)
            : BurrowResponses.JsonBody(context, BurrowJson.Names(names.Select(n => n.Name), detail));
}
