// Everyday chat through the SDK against the real platform: two users reply, mention, edit, react,
// pin, read and type in a group, with their sockets dropped midway (so frames and sync both carry
// the same events); each event reaches the other exactly once, and a third user whose client
// syncs from scratch ends with the same state of every message.

import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MessagePlatformClient, type ChatEvent, type ClientEvents, type MessageView, type WebSocketConstructor } from "../../src/index.js";
import { ApiNode, eventually, freshDatabase, newTenant, Proxy, sleep } from "./platform.js";

let node: ApiNode;
let proxy: Proxy;
let tenant: Awaited<ReturnType<typeof newTenant>>;
const clients: MessagePlatformClient[] = [];

beforeAll(async () => {
  node = await ApiNode.start(freshDatabase());
  proxy = await Proxy.start(node.url);
  tenant = await newTenant(proxy.url);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await proxy?.close();
  await node?.kill();
});

const KINDS = ["message", "edit", "reaction", "pin", "unpin", "read", "typing"] as const;

/** A user's client recording every chat event it emits, in order. */
async function user(userId: string, options: Partial<ConstructorParameters<typeof MessagePlatformClient>[0]> = {}) {
  const client = new MessagePlatformClient({
    baseUrl: proxy.url, userId, token: await tenant.token(userId), WebSocket: WebSocket as unknown as WebSocketConstructor,
    pollIntervalMs: 300, reconnectBaseMs: 100, reconnectMaxMs: 1000, requestTimeoutMs: 5000, ...options,
  });
  const events: ChatEvent[] = [];
  for (const kind of KINDS) client.on(kind, (data: ClientEvents[typeof kind]) => events.push({ kind, data } as ChatEvent));
  const states: string[] = [];
  client.on("state", (state) => states.push(state));
  clients.push(client);
  await client.connect();
  return { client, events, states, of: <K extends ChatEvent["kind"]>(kind: K) => events.filter((e) => e.kind === kind) as Extract<ChatEvent, { kind: K }>[] };
}

/** Polls an asynchronous condition, as eventually() a synchronous one. */
async function until(done: () => Promise<boolean>, what: () => Promise<string>, withinMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(200)) if (await done()) return;
  throw new Error(`not within ${withinMs} ms: ${await what()}`);
}

/** What every member must agree on about a message (`me` differs per user, so it is checked apart). */
const agreed = (m: MessageView | undefined) => m && {
  body: m.body, edited: m.edited, retracted: m.retracted, replyTo: m.replyTo, mentions: m.mentions, pinned: m.pinned,
  reactions: Object.fromEntries(Object.entries(m.reactions).map(([r, { count }]) => [r, count])),
};

describe("everyday chat through the SDK", () => {
  it("two users edit, reply, mention, react, pin, read and type; a third syncing from scratch reaches the same state", async () => {
    const group = tenant.group;
    const alice = await user("alice");
    const bob = await user("bob");
    await eventually(() => alice.states.at(-1) === "live" && bob.states.at(-1) === "live", () => `${alice.states} / ${bob.states}`);

    const m1 = await alice.client.send(group, { type: "text", body: { text: "lunch?" } });
    const m2 = await bob.client.send(group, { type: "text", body: { text: "yes @alice" }, replyTo: m1.msgId, mentions: ["alice"] });
    await eventually(() => alice.of("message").some((e) => e.data.msgId === m2.msgId), () => "alice never got the reply");
    expect(alice.of("message").find((e) => e.data.msgId === m2.msgId)!.data).toMatchObject({ replyTo: m1.msgId, mentions: ["alice"] });
    expect((await alice.client.replies(group, m1.msgId)).messages.map((m) => m.msgId)).toEqual([m2.msgId]);
    // The conversation list is a projection that may lag the send by a moment.
    await until(async () => (await alice.client.conversations()).find((c) => c.sessionId === group)?.unreadMentions === 1,
      async () => `alice's conversations ${JSON.stringify(await alice.client.conversations())}`);

    await alice.client.edit(group, m1.msgId, { text: "lunch at 12?" });
    proxy.dropSockets(); // what was pushed so far comes again by sync after the reconnect
    await alice.client.edit(group, m1.msgId, { text: "lunch at 12:30?" });
    await bob.client.react(group, m1.msgId, "👍");
    await alice.client.react(group, m1.msgId, "👍");
    await alice.client.react(group, m1.msgId, "👍"); // idempotent: one reaction
    await alice.client.react(group, m1.msgId, "❤️");
    await bob.client.unreact(group, m1.msgId, "👍");
    await bob.client.react(group, m2.msgId, "🎉");
    await alice.client.pin(group, m1.msgId);
    await bob.client.markRead(group, m2.seq);
    await eventually(() => bob.states.at(-1) === "live", () => `bob states ${bob.states}`);
    bob.client.typing(group);

    await eventually(() => alice.of("typing").some((e) => e.data.userId === "bob" && e.data.sessionId === group), () => "alice never saw bob typing");
    await eventually(() => alice.of("read").some((e) => e.data.userId === "bob" && e.data.seq === m2.seq), () => "alice never saw bob's read mark");
    await eventually(() => bob.of("pin").length > 0 && bob.of("reaction").length >= 5, () => `bob got ${JSON.stringify(bob.events.map((e) => e.kind))}`);

    // Exactly once each, in order, though the socket was dropped between them.
    expect(bob.of("edit").filter((e) => e.data.msgId === m1.msgId).map((e) => (e.data.body as { text: string }).text))
      .toEqual(["lunch at 12?", "lunch at 12:30?"]);
    const flips = (who: typeof alice) => who.of("reaction").map((e) => ("counts" in e.data ? "counts" : `${e.data.by}${e.data.added ? "+" : "-"}${e.data.reaction}`));
    // Each reaction exactly once for both users. Not in one fixed order: a reaction frame names its
    // message, not its own place in the stream, so across the dropped sockets one user's reaction may
    // come by frame before another's that comes by sync. The final state below is what must agree.
    const expected = ["alice+❤️", "alice+👍", "bob+🎉", "bob+👍", "bob-👍"];
    await eventually(() => flips(alice).length >= expected.length, () => `alice's reactions ${flips(alice)}`);
    expect([...flips(bob)].sort()).toEqual(expected);
    expect([...flips(alice)].sort()).toEqual(expected);
    expect(bob.of("pin").map((e) => e.data)).toEqual([expect.objectContaining({ sessionId: group, msgId: m1.msgId, by: "alice" })]);
    expect(alice.of("read").filter((e) => e.data.userId === "bob" && e.data.sessionId === group)).toHaveLength(1);
    expect(bob.of("typing").filter((e) => e.data.userId === "bob")).toEqual([]); // never told of one's own typing

    expect((await bob.client.listPins(group)).map((p) => p.msgId)).toEqual([m1.msgId]);
    expect((await alice.client.receipts(group)).members).toEqual(expect.arrayContaining([{ userId: "bob", readSeq: m2.seq }]));
    const m1Receipts = await alice.client.messageReceipts(group, m1.msgId);
    expect(m1Receipts.readBy).toContain("bob");
    expect(m1Receipts.unreadBy).toContain("carol");

    // The state every member agrees on, as the platform's history shows it.
    const final = {
      [m1.msgId]: { body: { text: "lunch at 12:30?" }, edited: true, retracted: false, replyTo: undefined, mentions: undefined,
        pinned: true, reactions: { "👍": 1, "❤️": 1 } },
      [m2.msgId]: { body: { text: "yes @alice" }, edited: false, retracted: false, replyTo: m1.msgId, mentions: ["alice"],
        pinned: false, reactions: { "🎉": 1 } },
    };
    const history = await bob.client.history(group, { limit: 50 });
    expect(history.messages.find((m) => m.msgId === m1.msgId)).toMatchObject({
      body: final[m1.msgId]!.body, edited: true,
      reactions: { "👍": expect.objectContaining({ count: 1 }), "❤️": expect.objectContaining({ count: 1 }) },
    });
    const live = (who: typeof alice) => Object.fromEntries([m1, m2].map((m) => [m.msgId, agreed(who.client.timeline.get(group, m.msgId))]));

    // Carol syncs from scratch over polling alone: messages, then every edit, reaction, pin and read in order.
    const carol = await user("carol", { transport: "poll", WebSocket: undefined });
    await eventually(() => isDeepStrictEqual(live(carol), final), () => `carol has ${JSON.stringify(live(carol))}`);
    expect(carol.of("edit").filter((e) => e.data.msgId === m1.msgId)).toHaveLength(2);
    // Sync alone yields them in stream order: the order the calls were answered in.
    expect(flips(carol)).toEqual(["bob+👍", "alice+👍", "alice+❤️", "bob-👍", "bob+🎉"]);
    expect(carol.of("typing")).toEqual([]); // typing is never in sync
    carol.client.typing(group); // no socket: over REST
    await eventually(() => alice.of("typing").some((e) => e.data.userId === "carol"), () => "alice never saw carol typing");
    for (const who of [alice, bob]) await eventually(() => isDeepStrictEqual(live(who), final), () => `${JSON.stringify(live(who))}`);
    expect(alice.client.timeline.get(group, m1.msgId)!.reactions["👍"]!.me).toBe(true);
    expect(bob.client.timeline.get(group, m1.msgId)!.reactions["👍"]!.me).toBe(false);
    expect(alice.client.timeline.readBy(group, m2.msgId)).toEqual([]); // bob sent it; alice never read it
    expect(carol.client.timeline.readBy(group, m1.msgId)).toContain("bob");

    await alice.client.setConversationSettings(group, { pinned: true, muted: true });
    await until(async () => {
      const [first] = await alice.client.conversations();
      return first?.sessionId === group && first.pinned === true && first.muted === true;
    }, async () => `alice's conversations ${JSON.stringify(await alice.client.conversations())}`);
  });

  it("refusals come back as problems: someone else's message is not edited, a reply must be of the session", async () => {
    const alice = await user("alice");
    const bob = await user("bob");
    const mine = await alice.client.send(tenant.c2c, { type: "text", body: { text: "mine" } });
    await expect(bob.client.edit(tenant.c2c, mine.msgId, { text: "not yours" })).rejects.toMatchObject({ status: 403 });
    const elsewhere = await alice.client.send(tenant.group, { type: "text", body: { text: "in the group" } });
    await expect(alice.client.send(tenant.c2c, { type: "text", body: {}, replyTo: elsewhere.msgId })).rejects.toMatchObject({ status: 400 });
    await expect(alice.client.react(tenant.c2c, mine.msgId, "x".repeat(33))).rejects.toMatchObject({ status: 400 });
  });
});
