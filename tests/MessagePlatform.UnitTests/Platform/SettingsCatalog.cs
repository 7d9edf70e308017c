using System.Globalization;
using System.Reflection;

namespace MessagePlatform.UnitTests.Platform;

/// <summary>
/// Every setting of the slices, found by reflection: an options class is a type of the host or the
/// projections with a <c>const string Section</c>, and its settings are its public read-write properties.
/// </summary>
public static class SettingsCatalog
{
    public sealed record Setting(Type Options, string Section, PropertyInfo Property)
    {
        public string Key => $"{Section}:{Property.Name}";

        /// <summary>The default a fresh options object holds, written as the README writes it.</summary>
        public string Default => Format(Property.GetValue(Activator.CreateInstance(Options)));
    }

    public static IReadOnlyList<Type> OptionsClasses { get; } =
        new[] { typeof(Api.Platform.Settings).Assembly, typeof(Projections.UserChain.HistoryOnJoinLimits).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => SectionOf(type) is not null)
            .OrderBy(type => type.FullName)
            .ToList();

    public static IReadOnlyList<Setting> All { get; } = OptionsClasses
        .SelectMany(type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod is { IsPublic: true })
            .Select(p => new Setting(type, SectionOf(type)!, p)))
        .ToList();

    private static string? SectionOf(Type type) =>
        type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.FieldType == typeof(string)
            ? (string?)field.GetRawConstantValue()
            : null;

    public static string Format(object? value) => value switch
    {
        // The README writes an unset text setting as "unset" and a text default in code quotes.
        null => "unset",
        string text => $"`{text}`",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
