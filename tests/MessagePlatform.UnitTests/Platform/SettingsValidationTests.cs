using System.ComponentModel.DataAnnotations;
using System.Globalization;
using MessagePlatform.Api.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MessagePlatform.UnitTests.Platform;

/// <summary>
/// Every setting is checked when the host starts, and a bad one is refused naming its key: the host's
/// own registrations (<see cref="HostConfig.AddMessagePlatform"/>), validated as the host does before
/// its services start. No server is needed: nothing connects before validation.
/// </summary>
public sealed class SettingsValidationTests
{
    public static TheoryData<string, string> OutOfRange()
    {
        var data = new TheoryData<string, string>();
        foreach (var setting in SettingsCatalog.All)
        {
            if (setting.Property.GetCustomAttributes(typeof(RangeAttribute), true).SingleOrDefault() is not RangeAttribute range) continue;
            var (typeMin, typeMax) = setting.Property.PropertyType == typeof(long) ? ((decimal)long.MinValue, (decimal)long.MaxValue) : (int.MinValue, int.MaxValue);
            var min = Convert.ToDecimal(range.Minimum, CultureInfo.InvariantCulture);
            var max = Convert.ToDecimal(range.Maximum, CultureInfo.InvariantCulture);
            if (min > typeMin) data.Add(setting.Key, (min - 1).ToString(CultureInfo.InvariantCulture));
            if (max < typeMax) data.Add(setting.Key, (max + 1).ToString(CultureInfo.InvariantCulture));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void a_setting_out_of_its_range_stops_the_host_naming_its_key(string key, string value) =>
        Assert.Contains(key, StartFailure((key, value)));

    [Theory]
    [InlineData("Realtime:FrameBurst", "10")]
    [InlineData("Realtime:SyncInsteadAfterMilliseconds", "100")]
    [InlineData("Mqtt:MaxConnectPacketBytes", "200000")]
    [InlineData("Mqtt:MaxUnauthenticatedPerAddress", "300")]
    [InlineData("Intake:ShedLowPriorityAtMs", "2000")]
    public void a_setting_that_breaks_a_rule_between_two_stops_the_host_naming_it(string key, string value) =>
        Assert.Contains(key, StartFailure((key, value)));

    [Theory]
    [InlineData("Realtime:KeepAliveSeconds", "soon")]
    [InlineData("Daemon:Subscriptions", "maybe")]
    public void a_setting_that_is_not_a_number_or_a_flag_stops_the_host_naming_its_key(string key, string value) =>
        Assert.Contains(key, StartFailure((key, value)));

    [Fact]
    public void the_defaults_start()
    {
        using var host = Host();
        host.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void every_numeric_setting_has_a_range()
    {
        var unbounded = SettingsCatalog.All
            .Where(s => IsNumber(Nullable.GetUnderlyingType(s.Property.PropertyType) ?? s.Property.PropertyType)
                && !s.Property.IsDefined(typeof(RangeAttribute), true))
            .Select(s => s.Key).ToList();
        Assert.True(unbounded.Count == 0, $"settings without [Range]: {string.Join(", ", unbounded)}");
    }

    private static bool IsNumber(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(decimal) || type == typeof(short) || type == typeof(float);

    private static WebApplication Host(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings.Append((Key: "MP_ADMIN_KEY", Value: "test-admin-key"))
            .Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.AddMessagePlatform();
        return builder.Build();
    }

    /// <summary>What the host says when it refuses to start: every message of the failure, inner ones included.</summary>
    private static string StartFailure(params (string Key, string Value)[] settings)
    {
        var failure = Record.Exception(() =>
        {
            using var host = Host(settings);
            host.Services.GetRequiredService<IStartupValidator>().Validate();
        });
        Assert.NotNull(failure);
        return string.Join(" | ", Messages(failure));
    }

    private static IEnumerable<string> Messages(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e.Message;
            if (e is AggregateException all)
                foreach (var inner in all.InnerExceptions.SelectMany(Messages)) yield return inner;
        }
    }
}
