using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>One observation of a message by a successful claim, pop or read.</summary>
/// <param name="Op">The observing operation.</param>
/// <param name="Index">Position in that operation's message list.</param>
/// <param name="Message">The message.</param>
public readonly record struct Delivery(Operation Op, int Index, DeliveredMessage Message);

/// <summary>Helpers shared by the queue checkers.</summary>
public static class Deliveries
{
    /// <summary>Every message observed by an ok claim, pop or read, in invocation order.</summary>
    public static IEnumerable<Delivery> All(IEnumerable<Operation> ops)
    {
        foreach (var op in ops)
        {
            if (op.Result != OpResult.Ok || op.Messages is null || op.F is not (Ops.Claim or Ops.Pop or Ops.Read))
            {
                continue;
            }

            for (var i = 0; i < op.Messages.Count; i++)
            {
                yield return new Delivery(op, i, op.Messages[i]);
            }
        }
    }

    /// <summary>Short description of an op for anomaly texts.</summary>
    public static string Describe(Operation op) =>
        FormattableString.Invariant($"#{op.Id} {op.F} p{op.Process} n{op.Node} {op.Result} [{op.InvokeMs:F0}..{op.CompleteMs:F0}ms]");
}
