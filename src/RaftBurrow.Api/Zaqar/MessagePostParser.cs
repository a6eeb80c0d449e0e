using System.Text.Json;
using RaftBurrow.StateMachine.Commands;

namespace RaftBurrow.Api.Zaqar;

/// <summary>
/// Parses a message POST body (<c>{"messages": [{"ttl", "delay", "body"}, …]}</c>) in one forward
/// pass with <see cref="Utf8JsonReader"/>: message bodies are sliced out as raw UTF-8 JSON, nothing
/// is materialized as a DOM. Validation and texts follow Zaqar (wsgi/utils.py, validation.py).
/// </summary>
internal static class MessagePostParser
{
    private const int MinMessageTtlSeconds = 60;

    /// <summary>Parses and validates; returns the messages or the first error.</summary>
    public static ZaqarError? TryParse(ReadOnlySpan<byte> json, ZaqarOptions options, out NewMessage[] messages)
    {
        messages = [];
        if (json.IsEmpty)
            return ZaqarError.BadBody("Request body can not be empty");
        // Utf8JsonReader does not check the UTF-8 inside strings, and bodies are stored and served raw.
        if (!System.Text.Unicode.Utf8.IsValid(json))
            return ZaqarError.Malformed();
        List<NewMessage>? parsed = null;
        ZaqarError? firstError = null;
        var foundMessages = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 128 });
            if (!reader.Read())
                return ZaqarError.Malformed();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                Drain(ref reader);
                return ZaqarError.BadBody("No messages were found in the request body.");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessages = reader.ValueTextEquals("messages"u8);
                reader.Read();
                if (!isMessages)
                {
                    reader.Skip();
                    continue;
                }
                foundMessages = true;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    firstError ??= ZaqarError.DocumentType();
                    reader.Skip();
                    continue;
                }
                // Duplicate keys: the last one wins, as in Python's json.
                parsed = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        firstError ??= ZaqarError.DocumentType();
                        reader.Skip();
                        continue;
                    }
                    var message = ReadMessage(ref reader, json, out var error);
                    firstError ??= error;
                    if (message is not null)
                        parsed.Add(message);
                }
            }
            Drain(ref reader);
        }
        catch (JsonException)
        {
            return ZaqarError.Malformed();
        }
        if (!foundMessages)
            return ZaqarError.BadBody("No messages were found in the request body.");
        if (firstError is not null)
            return firstError;
        if (parsed is null || parsed.Count == 0)
            return ZaqarError.BadRequest("No messages to enqueu.");
        foreach (var message in parsed)
        {
            if (message.TtlSeconds is { } ttl && (ttl < MinMessageTtlSeconds || ttl > options.MaxMessageTtlSeconds))
                return ZaqarError.BadRequest(
                    $"The TTL for a message may not exceed {options.MaxMessageTtlSeconds} seconds, and must be at least {MinMessageTtlSeconds} seconds long.");
            if (message.DelaySeconds is { } delay && (delay < 0 || delay > options.MaxMessageDelaySeconds))
                return ZaqarError.BadRequest(
                    $"The Delay TTL for a message may not exceed {options.MaxMessageDelaySeconds} seconds, and must be at least 0 seconds long.");
        }
        messages = [.. parsed];
        return null;
    }

    private static NewMessage? ReadMessage(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, out ZaqarError? error)
    {
        error = null;
        int? ttl = null, delay = null;
        byte[]? body = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("ttl"u8) ? 1 : reader.ValueTextEquals("delay"u8) ? 2 : reader.ValueTextEquals("body"u8) ? 3 : 0;
            reader.Read();
            switch (field)
            {
                case 1:
                    ttl = ReadInt(ref reader, json, "ttl", ref error);
                    break;
                case 2:
                    delay = ReadInt(ref reader, json, "delay", ref error);
                    break;
                case 3:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    body = json[start..(int)reader.BytesConsumed].ToArray();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (body is null)
        {
            error ??= ZaqarError.BadBody("Missing \"body\" field.");
            return null;
        }
        return new NewMessage { TtlSeconds = ttl, DelaySeconds = delay, BodyJson = body };
    }

    /// <summary>An integer field; a fraction or non-number is a type error, a huge integer saturates (so the range check reports it).</summary>
    private static int? ReadInt(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, string name, ref ZaqarError? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var value))
                return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
            var raw = json[(int)reader.TokenStartIndex..(int)reader.BytesConsumed];
            if (raw.IndexOfAny("."u8[0], (byte)'e', (byte)'E') < 0)
                return raw[0] == (byte)'-' ? int.MinValue : int.MaxValue;
        }
        else
        {
            reader.Skip();
        }
        error ??= ZaqarError.BadBody($"The value of the \"{name}\" field must be a int.");
        return null;
    }

    /// <summary>Reads to the end so that malformed trailing input is still reported as malformed.</summary>
    private static void Drain(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }
}
