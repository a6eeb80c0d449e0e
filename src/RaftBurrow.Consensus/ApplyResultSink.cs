namespace RaftBurrow.Consensus;

/// <summary>
/// Travels with a proposal as the entry's <c>Context</c>; the leader's apply stores the state
/// machine's result in it. Only the proposing leader sees the context (followers apply the same
/// entry without it), and only if it is still leader when the entry is applied.
/// </summary>
internal sealed class ApplyResultSink
{
    private readonly TaskCompletionSource<object?> _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the apply result.</summary>
    public Task<object?> Applied => _applied.Task;

    /// <summary>Called by the apply path, once.</summary>
    public void SetResult(object? result) => _applied.TrySetResult(result);
}
