using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Burrow;

/// <summary>
/// Renders accounts, queues and messages at a detail level (contract §5). ttl and hide are shown
/// as remaining whole seconds relative to one clock reading (<c>nowMs</c>) per request.
/// Non-ASCII is escaped as <c>\uXXXX</c>, as Python's json.dumps does.
/// </summary>
internal static class BurrowJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>A JSON array of account or queue names (<c>detail=id</c> or <c>all</c>).</summary>
    public static byte[] Names(IEnumerable<string> names, BurrowDetail detail) => Write(writer =>
    {
        writer.WriteStartArray();
        foreach (var name in names)
        {
            if (detail == BurrowDetail.Id)
            {
                writer.WriteStringValue(name);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteString("id", name);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
    });

    /// <summary>A JSON array of messages at <paramref name="detail"/> (not <see cref="BurrowDetail.None"/>).</summary>
    public static byte[] Messages(IEnumerable<BurrowMessageView> messages, BurrowDetail detail, long nowMs) => Write(writer =>
    {
        writer.WriteStartArray();
        foreach (var message in messages)
            WriteMessage(writer, message, detail, nowMs);
        writer.WriteEndArray();
    });

    /// <summary>One message as a JSON object (<c>detail=attributes|all</c>).</summary>
    public static byte[] Message(BurrowMessageView message, BurrowDetail detail, long nowMs) =>
        Write(writer => WriteMessage(writer, message, detail, nowMs));

    /// <summary>Remaining seconds of a stored deadline (whole Unix seconds; 0 = none).</summary>
    public static long Remaining(long deadlineS, long nowMs, bool isTtl)
    {
        if (deadlineS <= 0)
            return deadlineS;
        var remaining = deadlineS - Math.DivRem(nowMs, 1000).Quotient;
        // A live message whose deadline is this very second must not read as 0 ("never" / "visible").
        return isTtl ? Math.Max(remaining, 1) : Math.Max(remaining, 0);
    }

    /// <summary>The body as text (PUT only accepts UTF-8, so this is lossless).</summary>
    public static string BodyText(byte[] body) => Encoding.UTF8.GetString(body);

    private static void WriteMessage(Utf8JsonWriter writer, BurrowMessageView message, BurrowDetail detail, long nowMs)
    {
        switch (detail)
        {
            case BurrowDetail.Id:
                writer.WriteStringValue(message.Id);
                return;
            case BurrowDetail.Body:
                writer.WriteStringValue(BodyText(message.Body));
                return;
            default:
                writer.WriteStartObject();
                writer.WriteString("id", message.Id);
                writer.WriteNumber("ttl", Remaining(message.TtlDeadlineS, nowMs, isTtl: true));
                writer.WriteNumber("hide", Remaining(message.HideDeadlineS, nowMs, isTtl: false));
                if (detail == BurrowDetail.All)
                    writer.WriteString("body", BodyText(message.Body));
                writer.WriteEndObject();
                return;
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            write(writer);
        return buffer.WrittenSpan.ToArray();
    }
}
