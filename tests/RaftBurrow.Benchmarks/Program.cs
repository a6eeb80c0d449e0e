using System.Diagnostics;
using BenchmarkDotNet.Running;
using RaftBurrow.Benchmarks;
using RaftBurrow.StateMachine;

// `quick` runs each workload once with a stopwatch (a smoke check while developing);
// anything else goes to BenchmarkDotNet (the figures in docs/benchmarks.md come from it).
if (args is ["probe", ..])
{
    var entries = Workload.Posts(100_000);
    for (var r = 0; r < 3; r++)
    {
        var sw = Stopwatch.StartNew();
        long n = 0;
        foreach (var e in entries)
        {
            RaftBurrow.StateMachine.LogEntryCodec.TryDecode(e, out _, out _, out var cmd);
            n += RaftBurrow.StateMachine.CommandCodec.TryDecode(cmd.ToArray()) is null ? 0 : 1;
        }
        Console.WriteLine($"decode only: {1_000_000 / sw.Elapsed.TotalSeconds:n0} msg/s");
    }
    return;
}
if (args is ["post-only", ..])
{
    var posts = Workload.Posts(100_000);
    for (var r = 0; r < 4; r++)
        Workload.Fill(posts);
    return;
}
if (args is ["claim-only", ..])
{
    var posts = Workload.Posts(50_000);
    var claims = Workload.ClaimAndDelete(500_000, bulk: false);
    for (var r = 0; r < 3; r++)
    {
        var m = Workload.Fill(posts);
        Workload.ApplyAll(m, claims);
    }
    return;
}
if (args is ["quick", ..])
{
    Quick();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

static void Quick()
{
    var posts = Workload.Posts(100_000);
    for (var round = 0; round < 3; round++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var machine = Workload.Fill(posts);
        sw.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"post: {1_000_000 / sw.Elapsed.TotalSeconds:n0} msg/s wall ({sw.ElapsedMilliseconds} ms for 1M), {1_000_000 / cpu.TotalSeconds:n0} msg/s per CPU second, gen0/1/2 = {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        if (round < 2)
            continue;
        var claims = Workload.ClaimAndDelete(1_000_000, bulk: false);
        var cpu2 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        Workload.ApplyAll(machine, claims[..(claims.Length / 2)]);
        sw.Stop();
        cpu2 = Process.GetCurrentProcess().TotalProcessorTime - cpu2;
        Console.WriteLine($"claim+delete each: {500_000 / sw.Elapsed.TotalSeconds:n0} msg/s wall, {500_000 / cpu2.TotalSeconds:n0} per CPU second");
        machine = null;
        var full = Workload.Fill(posts);
        // The applier's pause per snapshot: the capture alone (the write runs in the background).
        for (var capture = 0; capture < 3; capture++)
        {
            var gen2 = GC.CollectionCount(2);
            var gen0 = GC.CollectionCount(0);
            var pause = GC.GetTotalPauseDuration();
            var captureCpu = Process.GetCurrentProcess().TotalProcessorTime;
            sw.Restart();
            using var image = full.CaptureSnapshot();
            sw.Stop();
            captureCpu = Process.GetCurrentProcess().TotalProcessorTime - captureCpu;
            Console.WriteLine($"capture of {image.MessageCount:n0} messages: {sw.Elapsed.TotalMilliseconds:n1} ms wall, {captureCpu.TotalMilliseconds:n0} ms CPU ({sw.Elapsed.TotalMilliseconds * 1e6 / image.MessageCount:n0} ns per message wall); GC during it: {GC.CollectionCount(0) - gen0} gen0, {GC.CollectionCount(2) - gen2} gen2, {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:n0} ms paused");
        }
        using var stream = new MemoryStream();
        var cpu3 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        full.WriteSnapshot(stream);
        var written = sw.ElapsedMilliseconds;
        stream.Position = 0;
        var copy = new QueueStateMachine(Workload.Options);
        copy.RestoreSnapshot(stream);
        sw.Stop();
        cpu3 = Process.GetCurrentProcess().TotalProcessorTime - cpu3;
        Console.WriteLine($"snapshot {stream.Length >> 20} MiB in {written} ms, + restore = {sw.ElapsedMilliseconds} ms wall, {cpu3.TotalMilliseconds:n0} ms CPU");
    }
}
