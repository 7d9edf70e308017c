using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// Request and response examples of the main flows, by operationId: create a tenant, open a session,
/// send, read history, sync, retract, list conversations. One conversation runs through them all
/// (tenant `acme-social`, users `alice` and `bob`), so the reference reads as a walk-through.
/// </summary>
public static class OpenApiExamples
{
    private const string Json = "application/json";

    private sealed record Example(string? Request, string Status, string Response);

    private static readonly Dictionary<string, Example> ByOperation = new()
    {
        ["createTenant"] = new(
            """{ "tenantId": "acme-social", "name": "Acme Social", "scenario": "social" }""",
            "201",
            """{ "tenantId": "acme-social", "name": "Acme Social", "scenario": "social", "appKey": "mp_app_shown-only-once", "auditorKey": "mp_auditor_shown-only-once" }"""),
        ["openSession"] = new(
            """{ "type": "c2c", "members": ["alice", "bob"] }""",
            "201",
            """
            { "sessionId": "c2c:alice:bob", "type": "c2c", "members": ["alice", "bob"],
              "policy": { "retention": "days:7", "onClose": "keep", "recallWindowSeconds": 120, "historyOnJoin": "fromJoin" },
              "diffusion": "write", "lastSeq": 0, "closed": false, "legalHold": false, "openedAt": "2026-12-02T09:00:00+00:00" }
            """),
        ["sendMessage"] = new(
            """{ "from": "alice", "clientMsgId": "7f3c2a1e-01", "type": "text", "body": { "text": "hi Bob" }, "priority": "normal" }""",
            "201",
            """{ "msgId": "7401298374656000001", "seq": 2, "sessionId": "c2c:alice:bob", "sentAt": "2026-12-02T09:00:05+00:00" }"""),
        ["readHistory"] = new(
            null,
            "200",
            """
            { "messages": [
                { "msgId": "7401298374656000001", "seq": 2, "from": "alice", "type": "text", "body": { "text": "hi Bob" },
                  "priority": "normal", "sentAt": "2026-12-02T09:00:05+00:00", "retracted": false },
                { "msgId": "7401298375080000001", "seq": 3, "from": "bob", "type": "text", "body": null,
                  "priority": "normal", "sentAt": "2026-12-02T09:00:09+00:00", "retracted": true } ],
              "hasMore": false }
            """),
        ["syncUser"] = new(
            null,
            "200",
            """
            { "items": [
                { "kind": "message", "sessionId": "c2c:alice:bob", "msgId": "7401298374656000001", "seq": 2, "from": "alice",
                  "type": "text", "body": { "text": "hi Bob" }, "priority": "normal", "sentAt": "2026-12-02T09:00:05+00:00", "retracted": false },
                { "kind": "retract", "sessionId": "c2c:alice:bob", "msgId": "7401298375080000001", "seq": 4, "from": "bob",
                  "type": "text", "body": null, "priority": "normal", "sentAt": "2026-12-02T09:00:09+00:00", "retracted": true } ],
              "cursor": "eyJ0IjoxMiwiYiI6MH0", "hasMore": false }
            """),
        ["retractMessage"] = new(
            """{ "by": "bob", "reason": "typo" }""",
            "200",
            """{ "msgId": "7401298375080000001", "seq": 4, "sessionId": "c2c:alice:bob" }"""),
        ["listConversations"] = new(
            null,
            "200",
            """
            [ { "sessionId": "c2c:alice:bob", "type": "c2c",
                "lastMessage": { "msgId": "7401298374656000001", "seq": 2, "from": "alice", "type": "text", "body": { "text": "hi Bob" },
                                 "priority": "normal", "sentAt": "2026-12-02T09:00:05+00:00", "retracted": false },
                "unread": 1, "readSeq": 0 } ]
            """),
    };

    /// <summary>Sets the examples of the operation, if it is one of the main flows.</summary>
    public static void ApplyTo(OpenApiOperation operation)
    {
        if (operation.OperationId is not { } id || !ByOperation.TryGetValue(id, out var example)) return;
        if (example.Request is { } request && operation.RequestBody?.Content?.TryGetValue(Json, out var body) == true)
            body.Example = JsonNode.Parse(request);
        if (operation.Responses?.TryGetValue(example.Status, out var response) == true
            && response.Content?.TryGetValue(Json, out var answer) == true)
            answer.Example = JsonNode.Parse(example.Response);
    }
}
