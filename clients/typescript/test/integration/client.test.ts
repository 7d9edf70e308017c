// The SDK against the real platform: nodes killed and restarted mid-stream, sockets dropped,
// WebSocket upgrades refused and allowed again, sends made while the node is down. Each case
// checks that every message reaches the client exactly once and in seq order per session.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MemoryStore, MessagePlatformClient, type ChatMessage, type ConnectionState, type WebSocketConstructor } from "../../src/index.js";
import { ApiNode, eventually, freshDatabase, newTenant, Proxy, sleep } from "./platform.js";

let postgres: string;
let node: ApiNode;
let proxy: Proxy;
let tenant: Awaited<ReturnType<typeof newTenant>>;
const clients: MessagePlatformClient[] = [];

beforeAll(async () => {
  postgres = freshDatabase();
  node = await ApiNode.start(postgres);
  proxy = await Proxy.start(node.url);
  tenant = await newTenant(proxy.url); // through the proxy: the node behind it is replaced
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await proxy?.close();
  await node?.kill();
});

/** A node gone for good is replaced by a new process on the same database; the proxy points at it. */
async function restartNode(): Promise<void> {
  await node.kill();
  node = await ApiNode.start(postgres);
  proxy.target = node.url;
}

/** A user's client through the proxy, recording what it emits and the states it went through. */
async function user(userId: string, options: Partial<ConstructorParameters<typeof MessagePlatformClient>[0]> = {}) {
  const client = new MessagePlatformClient({
    baseUrl: proxy.url, userId, token: await tenant.token(userId), WebSocket: WebSocket as unknown as WebSocketConstructor,
    pollIntervalMs: 300, reconnectBaseMs: 100, reconnectMaxMs: 1000, requestTimeoutMs: 3000, ...options,
  });
  const messages: ChatMessage[] = [];
  const states: ConnectionState[] = [];
  const retracted: string[] = [];
  client.on("message", (message) => messages.push(message));
  client.on("state", (state) => states.push(state));
  client.on("retract", (retraction) => retracted.push(retraction.msgId));
  clients.push(client);
  await client.connect();
  return { client, messages, states, retracted };
}

/** Alice's server-side send through the proxy, retried with its clientMsgId until durable (the node may be down). */
async function sendAsAlice(sessionId: string, text: string): Promise<string> {
  const clientMsgId = `${sessionId}-${text}`;
  for (;;) {
    try {
      const response = await fetch(`${proxy.url}/v1/sessions/${encodeURIComponent(sessionId)}/messages`, {
        method: "POST", headers: { authorization: `Bearer ${tenant.appKey}`, "content-type": "application/json" },
        body: JSON.stringify({ from: "alice", clientMsgId, type: "text", body: { text } }), signal: AbortSignal.timeout(3000),
      });
      if (response.ok) return ((await response.json()) as { msgId: string }).msgId;
      if (response.status < 500) throw new Error(`send refused: ${response.status} ${await response.text()}`);
    } catch (error) {
      if (String(error).includes("send refused")) throw error;
    }
    await sleep(200);
  }
}

/** Exactly once and in seq order per session, and nothing but what was sent since `from`. */
function expectOnceInOrder(messages: ChatMessage[], sent: Map<string, string[]>) {
  for (const [sessionId, msgIds] of sent) {
    const got = messages.filter((m) => m.sessionId === sessionId && msgIds.includes(m.msgId));
    expect(got.map((m) => m.msgId)).toEqual(msgIds);
    const seqs = messages.filter((m) => m.sessionId === sessionId).map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  }
}

const received = (messages: ChatMessage[], sent: Map<string, string[]>) => () =>
  [...sent.values()].flat().every((id) => messages.some((m) => m.msgId === id));
const describeGot = (messages: ChatMessage[], sent: Map<string, string[]>) => () =>
  `got ${messages.length}, sent ${[...sent.values()].flat().length}`;

async function stream(label: string, count: number, during: (i: number) => Promise<void>, onlyGroup = false) {
  const sent = new Map<string, string[]>(onlyGroup ? [[tenant.group, []]] : [[tenant.c2c, []], [tenant.group, []]]);
  for (let i = 0; i < count; i++) {
    const sessionId = onlyGroup || i % 3 === 0 ? tenant.group : tenant.c2c;
    sent.get(sessionId)!.push(await sendAsAlice(sessionId, `${label}-${i}`));
    await during(i);
  }
  return sent;
}

describe("MessagePlatformClient against the platform", () => {
  it("sends, reads history and conversations, marks read and retracts", async () => {
    const alice = await user("alice");
    const bob = await user("bob");
    await eventually(() => bob.states.includes("live"), () => `bob states ${bob.states}`);
    const first = await alice.client.send(tenant.c2c, { type: "text", body: { text: "hello" } });
    expect(first.seq).toBeGreaterThan(0);
    await eventually(() => bob.messages.some((m) => m.msgId === first.msgId), () => "bob never got hello");
    const history = await bob.client.history(tenant.c2c, { limit: 10 });
    expect(history.messages.map((m) => m.msgId)).toContain(first.msgId);
    await bob.client.markRead(tenant.c2c, first.seq);
    const conversation = (await bob.client.conversations()).find((c) => c.sessionId === tenant.c2c);
    expect(conversation).toMatchObject({ readSeq: first.seq, unread: 0 });
    await alice.client.retract(tenant.c2c, first.msgId);
    await eventually(() => bob.retracted.includes(first.msgId), () => "bob never saw the retraction");
    expect(bob.retracted.filter((id) => id === first.msgId)).toHaveLength(1);
    await expect(alice.client.send("no-such-session", { type: "text", body: {} })).rejects.toMatchObject({ status: 404 });
    await Promise.all([alice.client.close(), bob.client.close()]);
  });

  it("a client restarted on its store resumes from the stored cursor: nothing twice, nothing lost", async () => {
    const store = new MemoryStore();
    const before = await user("bob", { store });
    const first = await stream("before", 4, async () => {});
    await eventually(received(before.messages, first), describeGot(before.messages, first));
    await before.client.close();
    const missed = await stream("missed", 4, async () => {});
    const after = await user("bob", { store });
    await eventually(received(after.messages, missed), describeGot(after.messages, missed));
    expect(after.messages.filter((m) => [...first.values()].flat().includes(m.msgId))).toEqual([]);
    expectOnceInOrder(after.messages, missed);
    await after.client.close();
  });

  it("survives the node killed with SIGKILL and restarted mid-stream", async () => {
    const bob = await user("bob");
    const sent = await stream("kill", 24, async (i) => { if (i === 8) await restartNode(); });
    await eventually(received(bob.messages, sent), describeGot(bob.messages, sent));
    expectOnceInOrder(bob.messages, sent);
    await bob.client.close();
  });

  it("survives its sockets dropped again and again", async () => {
    const bob = await user("bob");
    await eventually(() => bob.states.includes("live"), () => `bob states ${bob.states}`);
    const sent = await stream("drop", 24, async (i) => { if (i % 4 === 1) proxy.dropSockets(); });
    await eventually(received(bob.messages, sent), describeGot(bob.messages, sent));
    expectOnceInOrder(bob.messages, sent);
    expect(bob.states.filter((s) => s === "live").length).toBeGreaterThan(1);
    await bob.client.close();
  });

  it("polls while WebSocket upgrades are refused and goes back to push when they are allowed", async () => {
    proxy.allowUpgrades = false;
    const carol = await user("carol"); // in the group only
    try {
      await eventually(() => carol.states.includes("polling"), () => `carol states ${carol.states}`);
      const polled = await stream("polled", 6, async () => {}, true);
      await eventually(received(carol.messages, polled), describeGot(carol.messages, polled));
      expect(carol.states).not.toContain("live");
    } finally {
      proxy.allowUpgrades = true;
    }
    await eventually(() => carol.states.at(-1) === "live", () => `carol states ${carol.states}`);
    const pushed = await stream("pushed", 6, async () => {}, true);
    await eventually(received(carol.messages, pushed), describeGot(carol.messages, pushed));
    expectOnceInOrder(carol.messages, pushed);
    const all = carol.messages.map((m) => (m.body as { text?: string }).text).filter((t) => /^(polled|pushed)-/.test(t ?? ""));
    expect(all).toEqual([...Array(6).keys()].map((i) => `polled-${i}`).concat([...Array(6).keys()].map((i) => `pushed-${i}`)));
    await carol.client.close();
  });

  it("transport poll gets everything by sync alone, with no WebSocket at all", async () => {
    const carol = await user("carol", { transport: "poll", WebSocket: undefined });
    const sent = await stream("poll-only", 5, async () => {}, true);
    await eventually(received(carol.messages, sent), describeGot(carol.messages, sent));
    expectOnceInOrder(carol.messages, sent);
    expect(new Set(carol.states)).toEqual(new Set(["connecting", "polling"]));
    await carol.client.close();
  });

  it("queues sends while the node is down and drains them, once each, when it is back", async () => {
    const alice = await user("alice");
    const bob = await user("bob");
    await eventually(() => alice.states.at(-1) === "live" && bob.states.at(-1) === "live", () => `${alice.states} / ${bob.states}`);
    await node.kill();
    await eventually(() => alice.states.at(-1) === "offline", () => `alice states ${alice.states}`);
    const sends = Array.from({ length: 5 }, (_, i) => alice.client.send(tenant.c2c, { type: "text", body: { text: `offline-${i}` } }));
    await sleep(500);
    expect(alice.client.pendingSends).toBe(5);
    node = await ApiNode.start(postgres);
    proxy.target = node.url;
    const results = await Promise.all(sends);
    expect(results.map((r) => r.seq)).toEqual([...results.map((r) => r.seq)].sort((a, b) => a - b));
    const sent = new Map([[tenant.c2c, results.map((r) => r.msgId)]]);
    await eventually(received(bob.messages, sent), describeGot(bob.messages, sent));
    expectOnceInOrder(bob.messages, sent);
    const history = await bob.client.history(tenant.c2c, { limit: 500 });
    const texts = history.messages.map((m) => (m.body as { text?: string } | null)?.text).filter((t) => t?.startsWith("offline-"));
    expect(texts).toEqual(["offline-0", "offline-1", "offline-2", "offline-3", "offline-4"]);
    await Promise.all([alice.client.close(), bob.client.close()]);
  });
});
