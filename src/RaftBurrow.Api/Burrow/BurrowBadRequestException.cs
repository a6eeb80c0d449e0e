namespace RaftBurrow.Api.Burrow;

/// <summary>Invalid input found while parsing a request; the endpoint answers 400 (or <see cref="StatusCode"/>) with a JSON error.</summary>
internal sealed class BurrowBadRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BurrowBadRequestException(string title, string description, int statusCode = 400)
        : base(description)
    {
        Title = title;
        StatusCode = statusCode;
    }

    /// <summary>Short error title.</summary>
    public string Title { get; }

    /// <summary>HTTP status to answer (400, or 413 for an oversized body).</summary>
    public int StatusCode { get; }
}
