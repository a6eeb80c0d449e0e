using RaftBurrow.Jepsen.History;
using RaftBurrow.Jepsen.Runner;
using RaftBurrow.Jepsen.Zaqar;

namespace RaftBurrow.Jepsen.Workloads;

/// <summary>
/// Runs API calls on behalf of workers and records each as an <see cref="Operation"/> with its
/// invocation and completion time; keeps the ok/fail/info counters of the progress line.
/// </summary>
public sealed class OpRecorder(IQueueApi api, RunClock clock, Action<Operation> sink, WorkloadOptions options)
{
    private long _nextId;
    private long _ok;
    private long _fail;
    private long _info;
    private long _nextValue;

    /// <summary>Options shared by the workloads.</summary>
    public WorkloadOptions Options { get; } = options;

    /// <summary>Counters for the progress line.</summary>
    public (long Ok, long Fail, long Info) Counts => (Interlocked.Read(ref _ok), Interlocked.Read(ref _fail), Interlocked.Read(ref _info));

    /// <summary>A fresh unique value for an enqueue.</summary>
    public string NextValue() => Interlocked.Increment(ref _nextValue).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Enqueue one message.</summary>
    public Task<Operation> EnqueueAsync(Worker w, string queue, string value, string? key, CancellationToken ct, string phase = "main") =>
        RunAsync(w, node => api.EnqueueAsync(node, queue, value, key, ct), new Spec(Ops.Enqueue, queue, phase, Value: value, Key: key), ct);

    /// <summary>Claim up to <paramref name="limit"/> messages.</summary>
    public Task<Operation> ClaimAsync(Worker w, string queue, int limit, CancellationToken ct, string phase = "main") =>
        RunAsync(w, node => api.ClaimAsync(node, queue, limit, Options.ClaimTtlSeconds, Options.ClaimGraceSeconds, ct), new Spec(Ops.Claim, queue, phase,
            Limit: limit, Ttl: Options.ClaimTtlSeconds), ct);

    /// <summary>Delete a claimed message.</summary>
    public Task<Operation> DeleteAsync(Worker w, string queue, string messageId, string claimId, CancellationToken ct, string phase = "main") =>
        RunAsync(w, node => api.DeleteAsync(node, queue, messageId, claimId, ct), new Spec(Ops.Delete, queue, phase, MessageId: messageId, ClaimId: claimId), ct);

    /// <summary>Release a claim.</summary>
    public Task<Operation> ReleaseAsync(Worker w, string queue, string claimId, CancellationToken ct, string phase = "main") =>
        RunAsync(w, node => api.ReleaseAsync(node, queue, claimId, ct), new Spec(Ops.Release, queue, phase, ClaimId: claimId), ct);

    /// <summary>Pop up to <paramref name="limit"/> messages.</summary>
    public Task<Operation> PopAsync(Worker w, string queue, int limit, CancellationToken ct, string phase = "main") =>
        RunAsync(w, node => api.PopAsync(node, queue, limit, ct), new Spec(Ops.Pop, queue, phase, Limit: limit), ct);

    /// <summary>Read everything, claimed messages included.</summary>
    public Task<Operation> ReadAsync(Worker w, string queue, CancellationToken ct, string phase = "main") =>
        RunAsync(w, node => api.ReadAllAsync(node, queue, ct), new Spec(Ops.Read, queue, phase), ct);

    private sealed record Spec(string F, string Queue, string Phase, string? Value = null, string? Key = null, int? Limit = null, int? Ttl = null,
        string? MessageId = null, string? ClaimId = null);

    private async Task<Operation> RunAsync(Worker w, Func<int, Task<ApiOutcome>> call, Spec spec, CancellationToken ct)
    {
        var (f, queue, phase, value, key, limit, ttl, messageId, claimId) = spec;
        var node = w.PickNode();
        var op = new Operation
        {
            Id = Interlocked.Increment(ref _nextId),
            Process = w.Process,
            Worker = w.Index,
            Node = node,
            F = f,
            Queue = queue,
            Value = value,
            Key = key,
            Limit = limit,
            TtlSeconds = ttl,
            MessageId = messageId,
            ClaimId = claimId,
            Phase = phase,
            InvokeMs = clock.NowMs,
        };
        ApiOutcome outcome;
        try
        {
            outcome = await call(node);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = ApiOutcome.Info("aborted");
        }

        op.CompleteMs = clock.NowMs;
        op.Result = outcome.Result;
        op.Status = outcome.Status;
        op.Error = outcome.Error;
        op.CreatedIds = outcome.CreatedIds;
        op.Messages = outcome.Messages;
        switch (outcome.Result)
        {
            case OpResult.Ok:
                Interlocked.Increment(ref _ok);
                break;
            case OpResult.Fail:
                Interlocked.Increment(ref _fail);
                break;
            default:
                Interlocked.Increment(ref _info);
                w.Crashed();
                break;
        }

        sink(op);
        return op;
    }
}
