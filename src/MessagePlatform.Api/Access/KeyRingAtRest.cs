using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace MessagePlatform.Api.Access;

/// <summary>
/// The data protection key ring (which signs every user token) encrypted at rest with a certificate
/// from configuration: MP_KEYRING_CERT (a .pfx with its private key) and MP_KEYRING_CERT_PASSWORD.
/// Development and Testing may run without one (the ring stays plain, with a warning); anywhere else
/// the host refuses to start, as it does without MP_ADMIN_KEY.
/// </summary>
public sealed record KeyRingAtRest(X509Certificate2? Certificate)
{
    public const string CertificateSetting = "MP_KEYRING_CERT";
    public const string PasswordSetting = "MP_KEYRING_CERT_PASSWORD";

    public static KeyRingAtRest From(IConfiguration config, IHostEnvironment env)
    {
        var path = config[CertificateSetting];
        if (string.IsNullOrWhiteSpace(path))
            return env.IsDevelopment() || env.IsEnvironment("Testing")
                ? new KeyRingAtRest(Certificate: null)
                : throw new InvalidOperationException(
                    $"{CertificateSetting} must name a .pfx certificate outside Development: the token key ring is encrypted with it.");
        if (!File.Exists(path)) throw new InvalidOperationException($"{CertificateSetting}: no file at '{path}'.");
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, config[PasswordSetting]);
        if (!certificate.HasPrivateKey)
            throw new InvalidOperationException($"{CertificateSetting}: the certificate has no private key, so the ring could not be read back.");
        return new KeyRingAtRest(certificate);
    }

    /// <summary>New keys are encrypted; the same certificate decrypts them (also on nodes without it in a store).</summary>
    public void ApplyTo(IDataProtectionBuilder builder)
    {
        if (Certificate is null) return;
        builder.ProtectKeysWithCertificate(Certificate).UnprotectKeysWithAnyCertificate(Certificate);
    }
}

/// <summary>Says once, at start, that the key ring is stored unencrypted.</summary>
public sealed class KeyRingWarning(KeyRingAtRest atRest, ILogger<KeyRingWarning> log) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        if (atRest.Certificate is null)
            log.LogWarning("The data protection key ring is stored unencrypted: set {Setting} outside development", KeyRingAtRest.CertificateSetting);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
