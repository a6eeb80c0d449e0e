using System.Text.Json;

namespace RaftBurrow.Api.Zaqar;

/// <summary>Typed field reads from request documents with Zaqar's error texts.</summary>
internal static class JsonFields
{
    /// <summary>Reads an integer field if present (a huge integer saturates so that range checks report it).</summary>
    public static ZaqarError? TryGetInt(JsonElement obj, string name, ref int value)
    {
        if (!obj.TryGetProperty(name, out var element))
            return null;
        if (element.ValueKind == JsonValueKind.Number)
        {
            if (element.TryGetInt64(out var number))
            {
                value = (int)Math.Clamp(number, int.MinValue, int.MaxValue);
                return null;
            }
            var raw = element.GetRawText();
            if (raw.IndexOfAny(['.', 'e', 'E']) < 0)
            {
                value = raw.StartsWith('-') ? int.MinValue : int.MaxValue;
                return null;
            }
        }
        return ZaqarError.BadBody($"The value of the \"{name}\" field must be a int.");
    }

    /// <summary>Whether an element is a JSON integer (Python's <c>isinstance(x, int)</c>, booleans aside).</summary>
    public static bool IsInteger(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }

    /// <summary>Python truthiness of a JSON value (null, false, 0, "", [], {} are falsy).</summary>
    public static bool IsTruthy(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => false,
        JsonValueKind.Number => element.GetDouble() != 0,
        JsonValueKind.String => element.GetString()!.Length > 0,
        JsonValueKind.Array => element.GetArrayLength() > 0,
        JsonValueKind.Object => element.EnumerateObject().Any(),
        _ => true,
    };
}
