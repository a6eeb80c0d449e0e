using System.Text;

namespace RaftBurrow.Cli.Bench;

/// <summary>
/// A producer's POST body, serialized once: <c>{"messages": [m, m, …]}</c> where each message is
/// <c>{"ttl": T, "body": {"bench": RUN, "p": P, "s": "000000000042", "x": "xxx…"}}</c>, padded to the
/// requested size. Per request only the fixed-width sequence digits are overwritten in place, so the hot
/// path allocates no body. Not thread-safe: one per producer, and the buffer must not be stamped while a
/// POST of it is in flight.
/// </summary>
public sealed class BenchPayload
{
    /// <summary>Digits of the sequence number (a string, so leading zeros stay valid JSON).</summary>
    public const int SequenceDigits = 12;

    private readonly int[] sequenceOffsets;

    /// <summary>Builds the template for producer <paramref name="producer"/>.</summary>
    public BenchPayload(string runId, int producer, int messagesPerPost, int messageBytes, int ttlSeconds)
    {
        var head = $"{{\"ttl\": {ttlSeconds}, \"body\": {{\"bench\": \"{runId}\", \"p\": {producer}, \"s\": \"";
        var middle = "\", \"x\": \"";
        const string Tail = "\"}}";
        var skeleton = head.Length + SequenceDigits + middle.Length + Tail.Length;
        var pad = new string('x', Math.Max(0, messageBytes - skeleton));
        MessageBytes = skeleton + pad.Length;

        var text = new StringBuilder("{\"messages\": [");
        sequenceOffsets = new int[messagesPerPost];
        for (var i = 0; i < messagesPerPost; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(head);
            sequenceOffsets[i] = text.Length; // ASCII only, so char offsets are byte offsets
            text.Append('0', SequenceDigits).Append(middle).Append(pad).Append(Tail);
        }

        text.Append("]}");
        Buffer = Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The whole request body.</summary>
    public byte[] Buffer { get; }

    /// <summary>Actual size of one message object (at least the skeleton).</summary>
    public int MessageBytes { get; }

    /// <summary>Messages per POST.</summary>
    public int Count => sequenceOffsets.Length;

    /// <summary>Writes sequence numbers <paramref name="firstSequence"/>, +1, … into the messages.</summary>
    public void Stamp(long firstSequence)
    {
        for (var i = 0; i < sequenceOffsets.Length; i++)
        {
            var value = firstSequence + i;
            var at = sequenceOffsets[i] + SequenceDigits - 1;
            for (var d = 0; d < SequenceDigits; d++)
            {
                Buffer[at - d] = (byte)('0' + (int)(value % 10));
                value /= 10;
            }
        }
    }
}
