using System.Text.Json.Serialization;

namespace MessagePlatform.Domain;

[JsonConverter(typeof(JsonStringEnumConverter<SessionType>))]
public enum SessionType
{
    [JsonStringEnumMemberName("c2c")] C2c,
    [JsonStringEnumMemberName("group")] Group,
    [JsonStringEnumMemberName("room")] Room,
}

/// <summary>Write: each message lands in every member's timeline. Read: members read the session itself.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Diffusion>))]
public enum Diffusion
{
    [JsonStringEnumMemberName("write")] Write,
    [JsonStringEnumMemberName("read")] Read,
}
