using System.Security.Cryptography;
using System.Text;

namespace MessagePlatform.Api.Access;

/// <summary>Issuing and fingerprinting keys. Keys are 256 random bits, so one SHA-256 is a sound hash.</summary>
public static class Credentials
{
    public static string NewKey(string role) =>
        $"mp_{role}_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";

    /// <summary>A key's public name: the head of its fingerprint, so every key ever issued has one without a migration.</summary>
    public static string KeyIdOf(string fingerprint) => fingerprint[..16];

    public static string Fingerprint(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool SameKey(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
