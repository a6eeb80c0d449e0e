using System.Text.Json;

namespace RaftBurrow.StateMachine.State;

/// <summary>
/// The reserved keys of a Zaqar queue's metadata that change the machine's behaviour. Values of the
/// wrong JSON type are ignored (the API edge validates them); absent keys are null.
/// </summary>
internal sealed record QueueSettings
{
    public static readonly QueueSettings None = new();

    public int? MaxMessagesPostSizeBytes { get; init; }

    public int? DefaultMessageTtlSeconds { get; init; }

    public int? DefaultMessageDelaySeconds { get; init; }

    public int? MaxClaimCount { get; init; }

    public string? DeadLetterQueue { get; init; }

    public int? DeadLetterQueueMessagesTtlSeconds { get; init; }

    /// <summary>Parses the reserved keys; never throws (malformed JSON gives <see cref="None"/>).</summary>
    public static QueueSettings Parse(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\"_"u8) < 0)
            return None;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return None;
            var settings = new QueueSettings();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                settings = name switch
                {
                    "_max_messages_post_size" => settings with { MaxMessagesPostSizeBytes = Int(ref reader) },
                    "_default_message_ttl" => settings with { DefaultMessageTtlSeconds = Int(ref reader) },
                    "_default_message_delay" => settings with { DefaultMessageDelaySeconds = Int(ref reader) },
                    "_max_claim_count" => settings with { MaxClaimCount = Int(ref reader) },
                    "_dead_letter_queue" => settings with { DeadLetterQueue = reader.TokenType == JsonTokenType.String ? reader.GetString() : null },
                    "_dead_letter_queue_messages_ttl" => settings with { DeadLetterQueueMessagesTtlSeconds = Int(ref reader) },
                    _ => settings,
                };
                reader.Skip();
            }
            return settings;
        }
        catch (JsonException)
        {
            return None;
        }
    }

    private static int? Int(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value : null;
}
