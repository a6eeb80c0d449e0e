using System.Net;

namespace RaftBurrow.Client.Http;

/// <summary>A complete HTTP answer, body buffered.</summary>
internal readonly record struct ApiResponse(HttpStatusCode StatusCode, byte[] Body, string? ContentType, Uri? Location, Uri RequestUri, string Method)
{
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;
}
