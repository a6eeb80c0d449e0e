using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>
/// Idempotency: all enqueues sharing an Idempotency-Key within the window make one message. Every
/// successful attempt with a key must name the same message id, and no more than one message id
/// carrying the key's value may ever be delivered.
/// </summary>
/// <param name="windowMs">The server's idempotency window; keys retried over a longer span are not judged.</param>
public sealed class IdempotencyChecker(double windowMs) : IHistoryChecker
{
    /// <inheritdoc/>
    public string Name => "idempotency";

    /// <inheritdoc/>
    public CheckResult Check(RunHistory history)
    {
        var keyed = history.Operations.Where(o => o.F == Ops.Enqueue && o.Key is not null).GroupBy(o => (o.Queue, Key: o.Key!)).ToList();
        if (keyed.Count == 0)
        {
            return CheckResult.Skip(Name, "no enqueues with an Idempotency-Key");
        }

        var result = new CheckResult { Name = Name };
        var deliveredIds = Deliveries.All(history.Operations).Where(d => d.Message.Value is not null && d.Message.Id is not null)
            .GroupBy(d => (d.Op.Queue, d.Message.Value!))
            .ToDictionary(g => g.Key, g => g.Select(d => d.Message.Id!).Distinct(StringComparer.Ordinal).ToList());

        foreach (var group in keyed)
        {
            var attempts = group.OrderBy(o => o.InvokeMs).ToList();
            result.Add("keys");
            result.Add("attempts", attempts.Count);
            if (attempts[^1].InvokeMs - attempts[0].InvokeMs > windowMs)
            {
                result.Add("outside-window");
                continue;
            }

            var okIds = attempts.Where(o => o.Result == OpResult.Ok && o.CreatedIds is { Count: > 0 })
                .Select(o => string.Join(",", o.CreatedIds!)).Distinct(StringComparer.Ordinal).ToList();
            if (okIds.Count > 1)
            {
                result.Anomaly("key-answered-differently", $"key {group.Key.Key} on {group.Key.Queue}: successful attempts returned different messages {string.Join(" / ", okIds)}");
            }

            var values = attempts.Select(o => o.Value).Where(v => v is not null).Distinct(StringComparer.Ordinal).ToList();
            var ids = values.SelectMany(v => deliveredIds.GetValueOrDefault((group.Key.Queue, v!)) ?? []).Distinct(StringComparer.Ordinal).ToList();
            if (ids.Count > 1)
            {
                result.Anomaly("key-duplicated", $"key {group.Key.Key} on {group.Key.Queue}: {ids.Count} distinct messages delivered ({string.Join(", ", ids)})");
            }
            else if (attempts.Count > 1 && ids.Count == 1)
            {
                result.Add("retried-and-deduplicated");
            }
        }

        return result;
    }
}
