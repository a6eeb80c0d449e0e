using System.Text.Json;

namespace RaftBurrow.Cli.Bench;

/// <summary>What the verifier made of one consumed message.</summary>
public enum ConsumeOutcome
{
    /// <summary>Produced by this run and seen for the first time.</summary>
    Ok = 0,

    /// <summary>Produced by this run but consumed before.</summary>
    Duplicate = 1,

    /// <summary>Not produced by this run (foreign, corrupted, or a sequence never sent).</summary>
    Unknown = 2,
}

/// <summary>
/// Checks that every consumed message is one this run produced, exactly once: each body carries the run
/// id, the producer number and a sequence number. Producers record what they sent and what was
/// acknowledged; consumers record what they got. Thread-safe (one lock per producer).
/// </summary>
public sealed class BenchVerifier
{
    private const int MaxSamples = 5;

    private readonly string runId;
    private readonly Ledger[] ledgers;
    private readonly List<string> unknownSamples = [];
    private long duplicates;
    private long unknown;

    /// <summary>Creates a verifier for <paramref name="producers"/> producers of run <paramref name="runId"/>.</summary>
    public BenchVerifier(string runId, int producers)
    {
        this.runId = runId;
        ledgers = Enumerable.Range(0, producers).Select(_ => new Ledger()).ToArray();
    }

    /// <summary>Producer <paramref name="producer"/> is about to send sequences below <paramref name="endExclusive"/>.</summary>
    public void Sent(int producer, long endExclusive)
    {
        var l = ledgers[producer];
        lock (l)
        {
            l.SentEnd = Math.Max(l.SentEnd, endExclusive);
        }
    }

    /// <summary>The server acknowledged sequences [first, first + count) of <paramref name="producer"/>.</summary>
    public void Acknowledged(int producer, long first, int count)
    {
        var l = ledgers[producer];
        lock (l)
        {
            for (var i = 0; i < count; i++)
            {
                l.Acked.Add(first + i);
            }
        }
    }

    /// <summary>Records a consumed message body.</summary>
    public ConsumeOutcome Consumed(JsonElement body)
    {
        if (!TryParse(body, out var producer, out var sequence))
        {
            return RecordUnknown(body);
        }

        var l = ledgers[producer];
        lock (l)
        {
            if (sequence >= l.SentEnd)
            {
                return RecordUnknown(body);
            }

            if (l.Consumed.Add(sequence))
            {
                return ConsumeOutcome.Ok;
            }
        }

        Interlocked.Increment(ref duplicates);
        return ConsumeOutcome.Duplicate;
    }

    /// <summary>The tallies so far.</summary>
    public VerificationReport Report()
    {
        long acked = 0, sent = 0, consumed = 0, consumedWithoutAck = 0, notConsumed = 0;
        foreach (var l in ledgers)
        {
            lock (l)
            {
                sent += l.SentEnd;
                acked += l.Acked.Count;
                consumed += l.Consumed.Count;
                consumedWithoutAck += l.Consumed.CountExcept(l.Acked);
                notConsumed += l.Acked.CountExcept(l.Consumed);
            }
        }

        lock (unknownSamples)
        {
            return new VerificationReport
            {
                Sent = sent,
                Acknowledged = acked,
                ConsumedUnique = consumed,
                Duplicates = Interlocked.Read(ref duplicates),
                Unknown = Interlocked.Read(ref unknown),
                ConsumedWithoutAck = consumedWithoutAck,
                AcknowledgedNotConsumed = notConsumed,
                UnknownSamples = [.. unknownSamples],
            };
        }
    }

    private bool TryParse(JsonElement body, out int producer, out long sequence)
    {
        producer = -1;
        sequence = -1;
        return body.ValueKind == JsonValueKind.Object
            && body.TryGetProperty("bench", out var run) && run.ValueKind == JsonValueKind.String && run.ValueEquals(runId)
            && body.TryGetProperty("p", out var p) && p.TryGetInt32(out producer) && producer >= 0 && producer < ledgers.Length
            && body.TryGetProperty("s", out var s) && s.ValueKind == JsonValueKind.String
            && long.TryParse(s.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence);
    }

    private ConsumeOutcome RecordUnknown(JsonElement body)
    {
        Interlocked.Increment(ref unknown);
        lock (unknownSamples)
        {
            if (unknownSamples.Count < MaxSamples)
            {
                var text = body.ValueKind == JsonValueKind.Undefined ? "(no body)" : body.GetRawText();
                unknownSamples.Add(text.Length > 200 ? text[..200] + "…" : text);
            }
        }

        return ConsumeOutcome.Unknown;
    }

    private sealed class Ledger
    {
        public long SentEnd;
        public readonly SequenceSet Acked = new();
        public readonly SequenceSet Consumed = new();
    }
}

/// <summary>The verifier's verdict.</summary>
public sealed record VerificationReport
{
    /// <summary>Messages sent (acknowledged or not).</summary>
    public long Sent { get; init; }

    /// <summary>Messages whose POST was acknowledged (201).</summary>
    public long Acknowledged { get; init; }

    /// <summary>Distinct messages consumed.</summary>
    public long ConsumedUnique { get; init; }

    /// <summary>Consumed again after a first time (at-least-once redelivery, or a bug).</summary>
    public long Duplicates { get; init; }

    /// <summary>Consumed messages this run never produced.</summary>
    public long Unknown { get; init; }

    /// <summary>Consumed although their POST got no answer (a timed-out POST that did commit: fine).</summary>
    public long ConsumedWithoutAck { get; init; }

    /// <summary>Acknowledged but not consumed (left in the queues, or consumers stopped first).</summary>
    public long AcknowledgedNotConsumed { get; init; }

    /// <summary>Up to five unknown bodies.</summary>
    public IReadOnlyList<string> UnknownSamples { get; init; } = [];

    /// <summary>No duplicate and no unknown message.</summary>
    public bool Ok => Duplicates == 0 && Unknown == 0;
}
