using MessagePlatform.Api.Platform;
using System.Security.Cryptography;
using System.Xml.Linq;
using Marten;
using MessagePlatform.Projections;
using Npgsql;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace MessagePlatform.Api.Access;

/// <summary>
/// Signed, expiring tokens for one end user, made with ASP.NET Core's data protection (encrypted and
/// authenticated, with the expiry inside). The key ring lives in PostgreSQL, so a token issued on
/// one node is accepted by every node of the cluster.
/// </summary>
public sealed class UserTokens(IDataProtectionProvider provider, TokenRevocations revocations)
{
    public const string Prefix = Domain.CredentialShapes.UserTokenPrefix;
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    private readonly ITimeLimitedDataProtector _protector =
        provider.CreateProtector("MessagePlatform.UserTokens.v1").ToTimeLimitedDataProtector();

    /// <summary>The issue time travels inside the token, so revoking "every token issued before now" needs no token list.</summary>
    public string Issue(string tenantId, string userId, DateTimeOffset issuedAt, DateTimeOffset expiresAt) =>
        Prefix + _protector.Protect($"{tenantId}\n{userId}\n{issuedAt.ToUnixTimeMilliseconds()}", expiresAt);

    /// <summary>A token a gateway may accept at connect: authentic, unexpired and not revoked.</summary>
    public bool TryRead(string token, out string tenantId, out string userId) =>
        TryRead(token, out tenantId, out userId, out var issuedAt) && !revocations.IsRevoked(tenantId, userId, issuedAt);

    /// <summary>Reads a token; one issued before tokens carried their issue time reads as issued at <see cref="DateTimeOffset.MinValue"/>.</summary>
    public bool TryRead(string token, out string tenantId, out string userId, out DateTimeOffset issuedAt)
    {
        (tenantId, userId, issuedAt) = ("", "", DateTimeOffset.MinValue);
        // Refused by its shape before any decryption: no work for a string that cannot be a token.
        if (!Domain.CredentialShapes.CanBeUserToken(token)) return false;
        try
        {
            var parts = _protector.Unprotect(token[Prefix.Length..], out _).Split('\n');
            if (parts.Length is not (2 or 3)) return false;
            if (parts.Length == 3)
            {
                if (!long.TryParse(parts[2], out var ms)) return false;
                issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }
            (tenantId, userId) = (parts[0], parts[1]);
            return true;
        }
        catch (CryptographicException)
        {
            // Tampered, expired, or from another key ring.
            return false;
        }
    }
}

/// <summary>
/// Keeps the data protection key ring in PostgreSQL (the framework's IXmlRepository seam). The seam
/// is synchronous and Marten 9 is async-only, so this one table is read with plain Npgsql.
/// </summary>
public sealed class KeyRingInPostgres(NpgsqlDataSource db) : IXmlRepository
{
    private const string Table = "mp_data_protection_keys";
    private static readonly string Qualified = ReadModels.Qualified(Table);

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var cmd = db.CreateCommand($"select xml from {Qualified}");
        using var reader = cmd.ExecuteReader();
        var keys = new List<XElement>();
        while (reader.Read()) keys.Add(XElement.Parse(reader.GetString(0)));
        return keys;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var cmd = db.Command($"insert into {Qualified} (id, xml) values ($1, $2) on conflict (id) do nothing", friendlyName, element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }

    public static void AddTo(StoreOptions options)
    {
        var table = ReadModels.NewTable(Table);
        table.AddColumn<string>("id").AsPrimaryKey();
        table.AddColumn<string>("xml").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    public static void AddTo(IServiceCollection services, KeyRingAtRest atRest)
    {
        atRest.ApplyTo(services.AddDataProtection().SetApplicationName("MessagePlatform"));
        services.AddOptions<KeyManagementOptions>()
            .Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new KeyRingInPostgres(db));
        services.AddSingleton(atRest);
        services.AddHostedService<KeyRingWarning>();
        services.AddSingleton<UserTokens>();
    }
}
