using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Access;

public sealed class CredentialShapesTests
{
    private static readonly string Secret = new('A', CredentialShapes.KeySecretLength);

    [Theory]
    [InlineData("mp_app_")]
    [InlineData("mp_auditor_")]
    public void a_key_is_its_role_prefix_and_43_base64url_characters(string prefix)
    {
        Assert.True(CredentialShapes.CanBeKey(prefix + "aZ09-_" + Secret[6..]));
        Assert.False(CredentialShapes.CanBeKey(prefix + Secret[1..]));
        Assert.False(CredentialShapes.CanBeKey(prefix + Secret + "A"));
        Assert.False(CredentialShapes.CanBeKey(prefix + "!" + Secret[1..]));
        Assert.False(CredentialShapes.CanBeKey(prefix + "=" + Secret[1..]));
    }

    [Theory]
    [InlineData("mp_admin_")]
    [InlineData("mp_user_")]
    [InlineData("MP_APP_")]
    [InlineData("")]
    public void no_other_prefix_is_a_key(string prefix) => Assert.False(CredentialShapes.CanBeKey(prefix + Secret));

    [Fact]
    public void a_user_token_is_a_bounded_run_of_base64url_after_its_prefix()
    {
        Assert.True(CredentialShapes.CanBeUserToken("mp_user_CfDJ8abc-_09"));
        Assert.False(CredentialShapes.CanBeUserToken("mp_user_"));
        Assert.False(CredentialShapes.CanBeUserToken("mp_user_abc def"));
        Assert.False(CredentialShapes.CanBeUserToken("mp_user_abc\0"));
        Assert.False(CredentialShapes.CanBeUserToken("mp_user_" + new string('A', CredentialShapes.MaxTokenLength)));
        Assert.False(CredentialShapes.CanBeUserToken("mp_app_" + Secret));
    }
}
