using System.Text.Json;

namespace MessagePlatform.Domain;

public enum ModerationAction { Allow, Deny, Modify, Malformed }

/// <summary>
/// What a before-send hook answered (API.md "Before-send hook"), read without trusting it: anything
/// but one of the three documented shapes is Malformed, and the hook's failure policy decides.
/// </summary>
public sealed record ModerationAnswer(ModerationAction Action, string? Reason, JsonElement? Body, string? Why)
{
    public const int MaxReasonLength = 500;
    public const string DefaultReason = "denied by the before-send hook";

    private static ModerationAnswer Malformed(string why) => new(ModerationAction.Malformed, null, null, why);

    // Cut at a whole character: half a surrogate pair would be a lone surrogate in the 422.
    private static string Shortened(string text)
    {
        if (text.Length <= MaxReasonLength) return text;
        var length = char.IsHighSurrogate(text[MaxReasonLength - 1]) ? MaxReasonLength - 1 : MaxReasonLength;
        return text[..length];
    }

    public static ModerationAnswer Read(ReadOnlySpan<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return Malformed("not JSON");
        }
        using (document)
        {
            var answer = document.RootElement;
            if (answer.ValueKind != JsonValueKind.Object) return Malformed("not a JSON object");
            if (!answer.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String)
                return Malformed("no action");
            switch (action.GetString())
            {
                case "allow":
                    return new(ModerationAction.Allow, null, null, null);
                case "deny":
                    if (!answer.TryGetProperty("reason", out var reason)) return new(ModerationAction.Deny, DefaultReason, null, null);
                    if (reason.ValueKind != JsonValueKind.String) return Malformed("a reason that is not a string");
                    var text = reason.GetString()!;
                    return new(ModerationAction.Deny, text.Length == 0 ? DefaultReason : Shortened(text), null, null);
                case "modify":
                    // A stored body is never null: a modify without one is no usable answer.
                    return answer.TryGetProperty("body", out var body) && body.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                        ? new(ModerationAction.Modify, null, body.Clone(), null)
                        : Malformed("a modify without a body");
                default:
                    return Malformed("an unknown action");
            }
        }
    }
}
