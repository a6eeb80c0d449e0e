using System.Globalization;
using RaftBurrow.Jepsen.Workloads;

namespace RaftBurrow.Jepsen.Runner;

/// <summary>The live progress line: elapsed time, ops ok/fail/info, the current fault.</summary>
public sealed class Progress(RunClock clock, OpRecorder ops, double timeLimitSeconds, TextWriter output, bool interactive)
{
    private volatile string _fault = "none";
    private volatile string _phase = "workload";

    /// <summary>The fault being injected now ("none" when healthy).</summary>
    public string Fault
    {
        get => _fault;
        set => _fault = value;
    }

    /// <summary>Run phase: workload, heal, recovery, drain, check.</summary>
    public string Phase
    {
        get => _phase;
        set => _phase = value;
    }

    /// <summary>One progress line.</summary>
    public string Line(double workloadStartMs)
    {
        var (ok, fail, info) = ops.Counts;
        var elapsed = Math.Max(0, clock.NowMs - workloadStartMs) / 1000;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{elapsed,6:F1}s/{timeLimitSeconds:F0}s] {Phase,-8} ok {ok} fail {fail} info {info} | fault: {Fault}");
    }

    /// <summary>Prints the line every second (every 5 s when not a terminal) until cancelled.</summary>
    public async Task RunAsync(double workloadStartMs, CancellationToken ct)
    {
        var tick = interactive ? 1000 : 5000;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(tick, ct);
                Print(workloadStartMs);
            }
        }
        catch (OperationCanceledException)
        {
            // done
        }
    }

    /// <summary>Prints the line once.</summary>
    public void Print(double workloadStartMs)
    {
        var line = Line(workloadStartMs);
        if (interactive)
        {
            output.Write("\r" + line.PadRight(110)[..Math.Max(110, line.Length)]);
        }
        else
        {
            output.WriteLine(line);
        }
    }

    /// <summary>Ends the progress line.</summary>
    public void Done()
    {
        if (interactive)
        {
            output.WriteLine();
        }
    }
}
