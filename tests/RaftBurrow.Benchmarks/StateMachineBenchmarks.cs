using BenchmarkDotNet.Attributes;
using RaftBurrow.StateMachine;

namespace RaftBurrow.Benchmarks;

/// <summary>POST of 10 × 256 B through Apply(index, entry bytes), decoding included. One op = one message.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class PostBenchmarks
{
    private const int Commands = 10_000;
    private byte[][] _posts = [];

    [GlobalSetup]
    public void Setup() => _posts = Workload.Posts(Commands);

    [Benchmark(OperationsPerInvoke = Commands * Workload.BatchSize, Description = "post 10 x 256 B (per message)")]
    public long Post()
    {
        var machine = Workload.Fill(_posts);
        return machine.AppliedIndex;
    }
}

/// <summary>Claim 10 then delete those 10 (each with the claim id, or in one bulk delete). One op = one message consumed.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8, invocationCount: 1)]
public class ClaimDeleteBenchmarks
{
    private const int Messages = 100_000;
    private byte[][] _posts = [];
    private byte[][] _each = [];
    private byte[][] _bulk = [];
    private QueueStateMachine _machine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _posts = Workload.Posts(Messages / Workload.BatchSize);
        _each = Workload.ClaimAndDelete(Messages, bulk: false);
        _bulk = Workload.ClaimAndDelete(Messages, bulk: true);
    }

    [IterationSetup]
    public void Fill() => _machine = Workload.Fill(_posts);

    [Benchmark(OperationsPerInvoke = Messages, Description = "claim 10 + delete 10 with claim id (per message)")]
    public void ClaimThenDeleteEach() => Workload.ApplyAll(_machine, _each);

    [Benchmark(OperationsPerInvoke = Messages, Description = "claim 10 + bulk delete 10 (per message)")]
    public void ClaimThenBulkDelete() => Workload.ApplyAll(_machine, _bulk);
}

/// <summary>A page of 20 from a queue of 10,000 (first page, and a page after a marker in the middle).</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ListBenchmarks
{
    private QueueStateMachine _machine = null!;
    private readonly ListMessagesOptions _first = new() { Limit = 20, Echo = true };
    private readonly ListMessagesOptions _middle = new() { Limit = 20, Echo = true, Marker = "5000" };

    [GlobalSetup]
    public void Setup() => _machine = Workload.Fill(Workload.Posts(1_000));

    [Benchmark(Description = "list 20 (first page)")]
    public int ListFirst() => _machine.ListMessages("bench", "q", _first, Workload.StartMs + 1000)!.Messages.Count;

    [Benchmark(Description = "list 20 (after a marker)")]
    public int ListAfterMarker() => _machine.ListMessages("bench", "q", _middle, Workload.StartMs + 1000)!.Messages.Count;
}

/// <summary>Snapshot of 1,000,000 messages of 256 B into memory, then restore into a fresh machine.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class SnapshotBenchmarks
{
    private QueueStateMachine _machine = null!;
    private MemoryStream _stream = null!;

    [GlobalSetup]
    public void Setup()
    {
        _machine = Workload.Fill(Workload.Posts(100_000));
        _stream = new MemoryStream(capacity: 320 << 20);
    }

    [Benchmark(Description = "snapshot + restore 1M messages")]
    public long SnapshotAndRestore()
    {
        _stream.Position = 0;
        _stream.SetLength(0);
        _machine.WriteSnapshot(_stream);
        _stream.Position = 0;
        var copy = new QueueStateMachine(Workload.Options);
        copy.RestoreSnapshot(_stream);
        return copy.AppliedIndex;
    }
}
