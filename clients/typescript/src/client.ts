// The SDK's face (API.md "Client SDK"): wires the pure parts (merge, queue, backoff) to the
// platform (REST, the WebSocket link) and to the app (events). Each message of the user's
// sessions is emitted once, in seq order per session: pushes go through the merge, and sync from
// the stored cursor fills whatever a push missed (after a gap, a reconnect or a `sync` frame).

import { Backoff } from "./backoff.js";
import { Emitter, type Handler } from "./emitter.js";
import { Link } from "./link.js";
import { Merge, type MergeSnapshot } from "./merge.js";
import { SendQueue, type QueuedSend } from "./queue.js";
import { Sender } from "./sender.js";
import { MemoryStore, type ClientStore } from "./store.js";
import { Timeline } from "./timeline.js";
import { ProblemError, RestApi, type Fetch } from "./transport/http.js";
import type { WebSocketConstructor } from "./transport/websocket.js";
import type {
  ChatEvent, ClientEvents, ConnectionState, Conversation, ConversationSettings, HistoryPage, MessageReceipts, OutgoingMessage,
  PinnedMessage, SendResult, ServerFrame, SessionReceipts,
} from "./types.js";

export interface ClientOptions {
  baseUrl: string;
  userId: string;
  /** The user token (`POST /v1/users/{userId}/tokens`, minted by the app's server); a function to refresh it. */
  token: string | (() => string);
  /** `poll` never opens a WebSocket. */
  transport?: "websocket" | "poll";
  store?: ClientStore;
  /** Where to open the WebSocket; `{baseUrl as ws}/v1/connect` by default. */
  webSocketUrl?: string;
  /** A WebSocket constructor where the host has no global one (Node 20: the `ws` package). */
  WebSocket?: WebSocketConstructor;
  fetch?: Fetch;
  pollIntervalMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Failed WebSocket opens in a row before falling back to polling. */
  fallbackAfter?: number;
  requestTimeoutMs?: number;
  syncPageSize?: number;
}

interface StoredState { cursor?: string; merge?: MergeSnapshot }

// The frames the gateway resends until acked; edits, reactions, pins and read marks are pushed once (sync catches up).
const ACKED = new Set(["message", "broadcast"]);

export class MessagePlatformClient {
  private readonly events = new Emitter();
  private readonly api: RestApi;
  private readonly store: ClientStore;
  private merge = new Merge();
  private sender: Sender | undefined;
  private link: Link | undefined;
  private cursor: string | undefined;
  private syncing: Promise<boolean> | undefined;
  private syncAgain = false;
  private heldRetry: ReturnType<typeof setTimeout> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly typedAt = new Map<string, number>();
  /** Each message's latest state as this client has seen it (history pages and events); apps may draw from it. */
  readonly timeline: Timeline;

  constructor(private readonly options: ClientOptions) {
    const token = typeof options.token === "function" ? options.token : () => options.token as string;
    this.api = new RestApi(options.baseUrl, options.userId, token,
      options.fetch ?? globalThis.fetch.bind(globalThis), options.requestTimeoutMs ?? 10_000);
    this.store = options.store ?? new MemoryStore();
    this.timeline = new Timeline(options.userId);
  }

  on<K extends keyof ClientEvents>(kind: K, handler: Handler<K>): () => void { return this.events.on(kind, handler); }
  off<K extends keyof ClientEvents>(kind: K, handler: Handler<K>): void { this.events.off(kind, handler); }

  get state(): ConnectionState | undefined { return this.link?.state ?? (this.options.transport === "poll" ? "polling" : undefined); }

  /** Sends waiting to be durable (kept in the store while offline). */
  get pendingSends(): number { return this.sender?.pending ?? 0; }

  /** Restores the cursor and queue, syncs from the cursor, then goes live (or polls). Rejects only on a bad token. */
  async connect(): Promise<void> {
    const state = JSON.parse((await this.store.get(this.key("state"))) ?? "{}") as StoredState;
    const queued = JSON.parse((await this.store.get(this.key("queue"))) ?? "[]") as QueuedSend[];
    this.cursor = state.cursor;
    this.merge = new Merge(state.merge);
    const backoff = { baseMs: this.options.reconnectBaseMs ?? 250, maxMs: this.options.reconnectMaxMs ?? 10_000 };
    this.sender = new Sender(new SendQueue(queued), this.api, backoff, {
      persist: (queue) => this.write("queue", queue),
      sent: (receipt) => this.events.emit("sent", receipt),
      failed: (failure) => this.events.emit("sendFailed", failure),
    });
    try {
      await this.sync();
    } catch (error) {
      if (error instanceof ProblemError && (error.status === 401 || error.status === 403)) throw error;
    }
    void this.sender.drain();
    this.link = new Link({
      url: () => this.webSocketUrl(),
      WebSocket: this.webSocketConstructor(),
      backoff: new Backoff(backoff),
      fallbackAfter: this.options.transport === "poll" ? 0 : (this.options.fallbackAfter ?? 2),
      pollIntervalMs: this.options.pollIntervalMs ?? 3_000,
      openTimeoutMs: this.options.requestTimeoutMs ?? 10_000,
      pingMs: 25_000,
    }, {
      frame: (frame) => this.onFrame(frame),
      opened: () => { this.merge.socketOpened(); this.sender?.wake(); void this.sync().catch(() => undefined); },
      poll: () => this.sync().then((reached) => { if (reached) this.sender?.wake(); return reached; }, () => false),
      state: (state) => this.events.emit("state", state),
    });
    this.link.start();
  }

  send(sessionId: string, message: OutgoingMessage, clientMsgId: string = globalThis.crypto.randomUUID()): Promise<SendResult> {
    if (!this.sender) return Promise.reject(new Error("connect() first: the queue is restored from the store"));
    return this.sender.send(clientMsgId, sessionId, message);
  }

  async retract(sessionId: string, msgId: string, reason?: string): Promise<void> { await this.api.retract(sessionId, msgId, reason); }
  /** The sender's new body, within the session's edit window; the `edit` event follows for every member. */
  edit(sessionId: string, msgId: string, body: unknown): Promise<{ msgId: string; seq: number; editedAt: string }> {
    return this.api.edit(sessionId, msgId, body);
  }
  editMessage(sessionId: string, msgId: string, body: unknown) { return this.edit(sessionId, msgId, body); }
  /** Idempotent: reacting twice with the same reaction is one reaction. */
  async react(sessionId: string, msgId: string, reaction: string): Promise<void> { await this.api.react(sessionId, msgId, reaction); }
  async unreact(sessionId: string, msgId: string, reaction: string): Promise<void> { await this.api.unreact(sessionId, msgId, reaction); }
  async pin(sessionId: string, msgId: string): Promise<void> { await this.api.pin(sessionId, msgId); }
  async unpin(sessionId: string, msgId: string): Promise<void> { await this.api.unpin(sessionId, msgId); }
  async listPins(sessionId: string): Promise<PinnedMessage[]> {
    const { pins } = await this.api.pins(sessionId);
    this.timeline.loadPins(sessionId, pins.map((p) => p.msgId));
    return pins;
  }
  /** A page of history; it also refreshes `timeline` with what the platform shows now. */
  async history(sessionId: string, options: { afterSeq?: number; beforeSeq?: number; limit?: number } = {}): Promise<HistoryPage> {
    const page = await this.api.history(sessionId, options);
    this.timeline.load(sessionId, page.messages);
    return page;
  }
  /** The messages replying to one, like history. */
  async replies(sessionId: string, msgId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<HistoryPage> {
    const page = await this.api.replies(sessionId, msgId, options);
    this.timeline.load(sessionId, page.messages);
    return page;
  }
  /** Each member's read mark (c2c and groups); `read` events keep `timeline` current after it. */
  async receipts(sessionId: string): Promise<SessionReceipts> {
    const receipts = await this.api.receipts(sessionId);
    this.timeline.loadReceipts(sessionId, receipts.members);
    return receipts;
  }
  /** Who has and has not read one message (write-diffusion sessions). */
  messageReceipts(sessionId: string, msgId: string): Promise<MessageReceipts> { return this.api.messageReceipts(sessionId, msgId); }
  conversations(): Promise<Conversation[]> { return this.api.conversations(); }
  /** This user's own view of a conversation: pinned first, muted, hidden until a newer message. */
  async setConversationSettings(sessionId: string, settings: ConversationSettings): Promise<void> {
    await this.api.conversationSettings(sessionId, settings);
  }
  /** Tells the other members; they get a `read` event. */
  async markRead(sessionId: string, seq: number): Promise<void> { await this.api.markRead(sessionId, seq); }

  /**
   * "I am typing": over the socket when live, else REST; never queued, a late typing hint is a wrong one.
   * Call it on every keystroke: at most one goes out per session every 2 s, as the platform passes on no more.
   */
  typing(sessionId: string, now = Date.now()): void {
    if (now - (this.typedAt.get(sessionId) ?? -Infinity) < 2_000) return;
    this.typedAt.set(sessionId, now);
    if (!this.link?.write({ type: "typing", sessionId })) void this.api.typing(sessionId).catch(() => undefined);
  }

  /** Rooms are not in sync: their messages come only while joined, pushed. */
  joinRoom(sessionId: string): void { this.merge.joinRoom(sessionId); this.link?.write({ type: "join", sessionId }); }
  leaveRoom(sessionId: string): void { this.merge.leaveRoom(sessionId); this.link?.write({ type: "leave", sessionId }); }

  /** Drops the WebSocket as a network would; the client reconnects and catches up by sync. */
  dropConnection(): void { this.link?.reconnect(); }

  /** Stops the link and the queue; what is still queued stays in the store for the next connect. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.heldRetry);
    this.link?.stop();
    this.sender?.close();
    await this.writes;
  }

  /** Pulls sync until the platform has nothing more; single-flight, a request during a pull pulls again after it. */
  private sync(): Promise<boolean> {
    this.syncAgain = true;
    this.syncing ??= this.pull().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async pull(): Promise<boolean> {
    while (this.syncAgain && !this.closed) {
      this.syncAgain = false;
      for (let more = true; more && !this.closed;) {
        const page = await this.api.sync(this.cursor, this.options.syncPageSize ?? 200);
        const events = this.merge.page(page.items, Date.now());
        this.cursor = page.cursor;
        this.emitAll(events);
        void this.persistState();
        more = page.hasMore;
      }
    }
    this.scheduleHeldRetry();
    return true;
  }

  /** A held frame's gap is filled once the projection has caught up; ask again shortly until it has. */
  private scheduleHeldRetry(): void {
    clearTimeout(this.heldRetry);
    this.merge.expire(Date.now());
    if (!this.merge.holding || this.closed) return;
    this.heldRetry = setTimeout(() => void this.sync().catch(() => undefined), 250);
  }

  private onFrame(frame: ServerFrame): void {
    if (typeof frame.msgId === "string" && ACKED.has(frame.type)) this.link?.write({ type: "ack", msgId: frame.msgId });
    const outcome = this.merge.frame(frame, Date.now());
    this.emitAll(outcome.emit);
    if (outcome.emit.length > 0) void this.persistState();
    if (outcome.sync) void this.sync().catch(() => undefined);
  }

  private emitAll(events: ChatEvent[]): void {
    for (const event of events) {
      this.timeline.apply(event); // first, so a handler reads the state the event made
      this.events.emit(event.kind, event.data as never);
    }
  }

  private persistState(): Promise<void> {
    return this.write("state", { cursor: this.cursor, merge: this.merge.snapshot() } satisfies StoredState);
  }

  /** Writes one after another, so an older snapshot never lands after a newer one. */
  private write(name: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    this.writes = this.writes.then(() => this.store.set(this.key(name), json)).catch((error) => this.events.emit("error", error));
    return this.writes;
  }

  private key(name: string): string { return `${this.options.userId}:${name}`; }

  private webSocketUrl(): string {
    const url = new URL(this.options.webSocketUrl ?? new URL("/v1/connect", this.options.baseUrl).toString());
    if (url.protocol === "http:") url.protocol = "ws:";
    if (url.protocol === "https:") url.protocol = "wss:";
    const token = typeof this.options.token === "function" ? this.options.token() : this.options.token;
    url.searchParams.set("access_token", token); // browsers cannot set headers on a WebSocket
    return url.toString();
  }

  private webSocketConstructor(): WebSocketConstructor {
    const ctor = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (ctor) return ctor;
    if (this.options.transport === "poll") return undefined as never;
    throw new Error("No WebSocket here (Node 20): pass the `ws` package as the WebSocket option, or transport: \"poll\"");
  }
}
