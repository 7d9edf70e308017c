namespace MessagePlatform.Domain;

/// <summary>
/// What a tenant key or a user token can look like, so a bearer string that can be neither is refused
/// by its shape, before it costs a database look-up or a decryption.
/// </summary>
public static class CredentialShapes
{
    public const string UserTokenPrefix = "mp_user_";

    /// <summary>256 random bits in unpadded base64url.</summary>
    public const int KeySecretLength = 43;

    /// <summary>A token holds a tenant id, a user id and an issue time, encrypted: far below this.</summary>
    public const int MaxTokenLength = 1024;

    /// <summary>An app or auditor key: "mp_{role}_" and 43 base64url characters (every key Credentials.NewKey ever made).</summary>
    public static bool CanBeKey(string presented)
    {
        foreach (var role in KeyRules.Roles)
        {
            var prefix = $"mp_{role}_";
            if (presented.Length == prefix.Length + KeySecretLength && presented.StartsWith(prefix, StringComparison.Ordinal))
                return IsBase64Url(presented.AsSpan(prefix.Length));
        }
        return false;
    }

    /// <summary>A user token: "mp_user_" and a bounded run of base64url (data protection's output).</summary>
    public static bool CanBeUserToken(string presented) =>
        presented.Length > UserTokenPrefix.Length && presented.Length <= MaxTokenLength
        && presented.StartsWith(UserTokenPrefix, StringComparison.Ordinal)
        && IsBase64Url(presented.AsSpan(UserTokenPrefix.Length));

    private static bool IsBase64Url(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
            if (c is not ((>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_')) return false;
        return true;
    }
}
