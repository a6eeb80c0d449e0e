using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RaftBurrow.Client.Zaqar;

namespace RaftBurrow.Client.Http;

/// <summary>Turns buffered answers into results or <see cref="RaftBurrowApiException"/>s.</summary>
internal static class Responses
{
    private const int MaxErrorBodyChars = 2000;

    public static void EnsureSuccess(in ApiResponse response)
    {
        if (!response.IsSuccess)
        {
            throw Error(response);
        }
    }

    public static RaftBurrowApiException Error(in ApiResponse response)
    {
        string? title = null, description = null, raw = null;
        if (response.Body.Length > 0)
        {
            raw = Encoding.UTF8.GetString(response.Body, 0, Math.Min(response.Body.Length, MaxErrorBodyChars * 4));
            if (raw.Length > MaxErrorBodyChars)
            {
                raw = raw[..MaxErrorBodyChars];
            }

            try
            {
                var error = JsonSerializer.Deserialize(response.Body, ClientJsonContext.Default.ErrorBody);
                title = error?.Title;
                description = error?.Description;
            }
            catch (JsonException)
            {
                // not a Zaqar error document (Burrow answers plain text): keep the raw text
            }
        }

        return new RaftBurrowApiException(response.StatusCode, response.Method, response.RequestUri, title, description, raw);
    }

    public static T Read<T>(in ApiResponse response, JsonTypeInfo<T> type)
    {
        EnsureSuccess(response);
        try
        {
            return JsonSerializer.Deserialize(response.Body, type)
                ?? throw new RaftBurrowApiException(response.StatusCode, response.Method, response.RequestUri, "invalid answer", "null document", null);
        }
        catch (JsonException ex)
        {
            throw new RaftBurrowApiException(response.StatusCode, response.Method, response.RequestUri, "invalid answer",
                ex.Message, Encoding.UTF8.GetString(response.Body, 0, Math.Min(response.Body.Length, MaxErrorBodyChars)), ex);
        }
    }

    public static JsonElement? ReadOptionalJson(in ApiResponse response)
    {
        EnsureSuccess(response);
        return response.Body.Length == 0 ? null : Read(response, ClientJsonContext.Default.JsonElement);
    }

    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    public static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Uri.EscapeDataString(value);
    }

    public static string QueuePath(string queue) => "/v2/queues/" + Segment(queue);

    public static string Id(string href) => ZaqarHrefs.LastSegment(href);
}
