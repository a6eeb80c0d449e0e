using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Checkers;

/// <summary>
/// The sequential specification of one queue used by the linearizability search: enqueue appends;
/// pop(n) removes and returns the first min(n, length) values. An indeterminate pop, if it took
/// effect, removed that many values, whatever they were.
/// </summary>
public static class FifoQueueModel
{
    /// <summary>A modelled operation: an enqueue of one value or a pop of up to <paramref name="Limit"/> values.</summary>
    /// <param name="IsEnqueue">Enqueue (else pop).</param>
    /// <param name="Value">Enqueued value id.</param>
    /// <param name="Limit">Pop limit.</param>
    /// <param name="Popped">Values returned by an ok pop; null for an indeterminate pop.</param>
    public sealed record Step(bool IsEnqueue, int Value, int Limit, int[]? Popped);

    /// <summary>Applies <paramref name="step"/> to <paramref name="state"/>; false when the observed result is impossible.</summary>
    public static bool TryApply(int[] state, Step step, out int[] next)
    {
        if (step.IsEnqueue)
        {
            next = new int[state.Length + 1];
            state.CopyTo(next, 0);
            next[^1] = step.Value;
            return true;
        }

        if (step.Popped is null)
        {
            next = state[Math.Min(step.Limit, state.Length)..];
            return true;
        }

        var k = step.Popped.Length;
        next = state;
        if (k > state.Length || (k < step.Limit && k != state.Length))
        {
            return false;
        }

        for (var i = 0; i < k; i++)
        {
            if (state[i] != step.Popped[i])
            {
                return false;
            }
        }

        next = state[k..];
        return true;
    }

    /// <summary>Translates history operations into model steps, interning value strings.</summary>
    public static Step ToStep(Operation op, Func<string?, int> intern) => op.F == Ops.Enqueue
        ? new Step(true, intern(op.Value), 0, null)
        : new Step(false, 0, op.Limit ?? 1, op.Result == OpResult.Ok ? (op.Messages ?? []).Select(m => intern(m.Value)).ToArray() : null);
}
