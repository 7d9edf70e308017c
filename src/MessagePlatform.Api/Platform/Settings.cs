using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// The one way a slice takes its settings: an options class with a <c>Section</c> (listed, with its
/// defaults, in the README's settings table and checked against it by a test), bound from that
/// section, checked by its DataAnnotations and cross-field rules when the host starts. A failure
/// names the full key (`Realtime:KeepAliveSeconds`), since that is what an operator sets.
/// </summary>
public static class Settings
{
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SectionAnnotations<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// The section's values as they will be bound, for the few settings needed while services are
    /// still being registered (which subscriptions exist); a value that does not parse fails here, naming its key.
    /// </summary>
    public static T Read<T>(IConfiguration config, string section) where T : class, new() =>
        config.GetSection(section).Get<T>() ?? new T();
}

/// <summary>DataAnnotations (<c>[Range]</c>, <c>[Required]</c>) with each failure naming its configuration key.</summary>
internal sealed class SectionAnnotations<T>(string section) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            return ValidateOptionsResult.Success;
        return ValidateOptionsResult.Fail(results.Select(r =>
            $"{string.Join(", ", r.MemberNames.Select(member => $"{section}:{member}"))}: {r.ErrorMessage}"));
    }
}
