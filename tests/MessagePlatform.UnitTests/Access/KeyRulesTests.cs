using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Access;

public sealed class KeyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly TenantKey App1 = new("a1", "app", Now), App2 = new("a2", "app", Now), Auditor = new("u1", "auditor", Now);

    [Fact]
    public void a_key_of_a_role_with_another_beside_it_is_revoked()
    {
        var revoked = Assert.IsType<TenantKeyRevoked>(Assert.Single(KeyRules.Revoke([App1, App2, Auditor], "a1", Now).Events));
        Assert.Equal(new TenantKeyRevoked("a1", "app", Now), revoked);
    }

    [Fact]
    public void the_last_key_of_a_role_is_kept() =>
        Assert.Equal(RejectionKind.Conflict, KeyRules.Revoke([App1, App2, Auditor], "u1", Now).Rejection?.Kind);

    [Fact]
    public void a_key_the_tenant_does_not_hold_is_not_found() =>
        Assert.Equal(RejectionKind.NotFound, KeyRules.Revoke([App1, App2, Auditor], "other", Now).Rejection?.Kind);

    [Theory]
    [InlineData("app", true)]
    [InlineData("auditor", true)]
    [InlineData("admin", false)]
    [InlineData("user", false)]
    [InlineData("", false)]
    public void only_app_and_auditor_keys_are_issued(string role, bool issued) =>
        Assert.Equal(issued, KeyRules.Issue("k", role, Now).Rejection is null);
}
