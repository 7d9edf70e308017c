import { describe, expect, it } from "vitest";
import { MessagePlatformClient } from "../../src/index.js";

/** A client over a recording fetch: what the everyday chat calls ask the platform, exactly. */
function recorded(answer: (method: string, path: string) => unknown = () => ({})) {
  const calls: { method: string; path: string; body: unknown; auth: string | null }[] = [];
  const fetch = (async (url: URL, init: RequestInit) => {
    const path = `${url.pathname}${url.search}`;
    const method = init.method ?? "GET";
    calls.push({ method, path, body: init.body ? JSON.parse(String(init.body)) : undefined, auth: new Headers(init.headers).get("authorization") });
    return new Response(JSON.stringify(answer(method, path)), { status: 200, headers: { "content-type": "application/json" } });
  }) as unknown as typeof globalThis.fetch;
  const client = new MessagePlatformClient({ baseUrl: "http://im.test", userId: "bob", token: "t0ken", fetch, transport: "poll" });
  return { client, calls };
}

describe("the everyday chat calls", () => {
  it("go to the contract's paths with the contract's bodies, as the user", async () => {
    const { client, calls } = recorded((method, path) =>
      path.endsWith("/pins") && method === "GET" ? { pins: [{ msgId: "m1", by: "bob", pinnedAt: "2026-01-01T00:00:00Z" }] }
        : path.endsWith("/receipts") ? { members: [{ userId: "alice", readSeq: 3 }], readBy: [], unreadBy: [] }
          : path.includes("/replies") || path.includes("/messages?") ? { messages: [], hasMore: false } : {});
    const s = "c2c:alice:bob";
    await client.edit(s, "m1", { text: "v2" });
    await client.react(s, "m1", "👍");
    await client.unreact(s, "m1", "👍");
    await client.pin(s, "m1");
    await client.unpin(s, "m1");
    expect(await client.listPins(s)).toEqual([{ msgId: "m1", by: "bob", pinnedAt: "2026-01-01T00:00:00Z" }]);
    await client.replies(s, "m1", { afterSeq: 4, limit: 10 });
    await client.receipts(s);
    await client.messageReceipts(s, "m1");
    await client.setConversationSettings(s, { pinned: true, muted: false });
    await client.markRead(s, 7);
    client.typing(s, 0);
    client.typing(s, 1_000); // within 2 s of the last: not sent
    client.typing(s, 2_500);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const c = "c2c%3Aalice%3Abob";
    expect(calls.map(({ method, path, body }) => [method, path, body])).toEqual([
      ["POST", `/v1/sessions/${c}/messages/m1/edit`, { body: { text: "v2" } }],
      ["PUT", `/v1/sessions/${c}/messages/m1/reactions/%F0%9F%91%8D`, {}],
      ["DELETE", `/v1/sessions/${c}/messages/m1/reactions/%F0%9F%91%8D`, undefined],
      ["POST", `/v1/sessions/${c}/pins`, { msgId: "m1" }],
      ["DELETE", `/v1/sessions/${c}/pins/m1`, undefined],
      ["GET", `/v1/sessions/${c}/pins`, undefined],
      ["GET", `/v1/sessions/${c}/messages/m1/replies?afterSeq=4&limit=10`, undefined],
      ["GET", `/v1/sessions/${c}/receipts`, undefined],
      ["GET", `/v1/sessions/${c}/messages/m1/receipts`, undefined],
      ["PUT", `/v1/users/bob/conversations/${c}/settings`, { pinned: true, muted: false }],
      ["POST", `/v1/users/bob/conversations/${c}/read`, { seq: 7 }],
      ["POST", `/v1/sessions/${c}/typing`, {}],
      ["POST", `/v1/sessions/${c}/typing`, {}],
    ]);
    expect(new Set(calls.map((call) => call.auth))).toEqual(new Set(["Bearer t0ken"]));
    expect(client.timeline.readMarks(s)).toEqual(new Map([["alice", 3]]));
  });

  it("a send carries replyTo and mentions", async () => {
    const { client, calls } = recorded((method, path) => (path.includes("/sync") ? { items: [], cursor: "c1", hasMore: false } : { msgId: "m9", seq: 9 }));
    await client.connect();
    const sent = await client.send("g1", { type: "text", body: { text: "@all hi" }, replyTo: "m1", mentions: ["@all"] }, "cm-1");
    expect(sent).toEqual({ msgId: "m9", seq: 9 });
    expect(calls.find((call) => call.method === "POST")).toMatchObject({
      path: "/v1/sessions/g1/messages", body: { clientMsgId: "cm-1", type: "text", body: { text: "@all hi" }, replyTo: "m1", mentions: ["@all"] },
    });
    await client.close();
  });
});
