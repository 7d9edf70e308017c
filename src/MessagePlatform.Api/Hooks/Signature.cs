using System.Security.Cryptography;
using System.Text;

namespace MessagePlatform.Api.Hooks;

/// <summary>
/// How every call the platform makes to a tenant's URL is signed (API.md "Webhooks"):
/// `X-MP-Signature: sha256=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))` beside `X-MP-Timestamp`.
/// </summary>
public static class Signature
{
    public const string TimestampHeader = "X-MP-Timestamp";
    public const string SignatureHeader = "X-MP-Signature";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{unixSeconds}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public static void AddTo(HttpRequestMessage request, string secret, long unixSeconds, byte[] body)
    {
        request.Headers.Add(TimestampHeader, unixSeconds.ToString());
        request.Headers.Add(SignatureHeader, Sign(secret, unixSeconds, body));
    }
}
