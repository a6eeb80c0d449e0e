using RaftBurrow.Jepsen.History;

namespace RaftBurrow.Jepsen.Tests;

/// <summary>Builds crafted histories for checker tests. Message ids default to "m" + value.</summary>
internal sealed class HistoryBuilder
{
    private readonly List<Operation> _ops = [];
    private readonly List<FaultEvent> _faults = [];
    private long _id;

    public Operation Enq(string value, double inv, double comp, OpResult result = OpResult.Ok, string queue = "q", string? key = null, string? id = null, int process = 0)
    {
        var op = new Operation
        {
            Id = ++_id, Process = process, F = Ops.Enqueue, Queue = queue, Value = value, Key = key, InvokeMs = inv, CompleteMs = comp, Result = result,
            CreatedIds = result == OpResult.Ok ? [id ?? "m" + value] : null,
        };
        _ops.Add(op);
        return op;
    }

    public Operation Claim(double inv, double comp, int ttlSeconds, string claimId, params string[] values) =>
        Claim(inv, comp, ttlSeconds, OpResult.Ok, "q", values.Select(v => ("m" + v, claimId, v)).ToArray());

    public Operation Claim(double inv, double comp, int ttlSeconds, OpResult result, string queue, params (string Id, string ClaimId, string Value)[] msgs)
    {
        var op = new Operation
        {
            Id = ++_id, F = Ops.Claim, Queue = queue, Limit = Math.Max(1, msgs.Length), TtlSeconds = ttlSeconds, InvokeMs = inv, CompleteMs = comp, Result = result,
            Messages = result == OpResult.Ok ? msgs.Select(m => new DeliveredMessage(m.Id, m.ClaimId, m.Value)).ToList() : null,
        };
        _ops.Add(op);
        return op;
    }

    public Operation Pop(double inv, double comp, int limit, OpResult result = OpResult.Ok, string queue = "q", params string[] values)
    {
        var op = new Operation
        {
            Id = ++_id, F = Ops.Pop, Queue = queue, Limit = limit, InvokeMs = inv, CompleteMs = comp, Result = result,
            Messages = result == OpResult.Ok ? values.Select(v => new DeliveredMessage("m" + v, null, v)).ToList() : null,
        };
        _ops.Add(op);
        return op;
    }

    public Operation Read(double inv, double comp, string queue = "q", params string[] values)
    {
        var op = new Operation
        {
            Id = ++_id, F = Ops.Read, Queue = queue, InvokeMs = inv, CompleteMs = comp, Result = OpResult.Ok, Phase = "drain",
            Messages = values.Select(v => new DeliveredMessage("m" + v, null, v)).ToList(),
        };
        _ops.Add(op);
        return op;
    }

    public Operation Delete(double inv, double comp, string messageId, string claimId, OpResult result = OpResult.Ok, string queue = "q")
    {
        var op = new Operation { Id = ++_id, F = Ops.Delete, Queue = queue, MessageId = messageId, ClaimId = claimId, InvokeMs = inv, CompleteMs = comp, Result = result };
        _ops.Add(op);
        return op;
    }

    public Operation Release(double inv, double comp, string claimId, OpResult result = OpResult.Ok, string queue = "q")
    {
        var op = new Operation { Id = ++_id, F = Ops.Release, Queue = queue, ClaimId = claimId, InvokeMs = inv, CompleteMs = comp, Result = result };
        _ops.Add(op);
        return op;
    }

    public HistoryBuilder Fault(string nemesis, string action, double at)
    {
        _faults.Add(new FaultEvent { Nemesis = nemesis, Action = action, TimeMs = at, Targets = [1], Detail = "d" });
        return this;
    }

    public RunHistory Build() => new(_ops, _faults);
}
