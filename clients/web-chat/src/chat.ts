// The chat: conversations with unread counts (the platform's, refreshed on every event), one open
// conversation with its history paged backwards, send and retract, the peers' presence and the
// connection state. Messages come from the SDK's events, which are exactly once and in order; the
// view only keys them by msgId, since history pages and live events can both carry a message.

import { LocalStorageStore, MessagePlatformClient, type ChatMessage, type Conversation } from "@messageplatform/client";
import { openChat, presence, type SignIn } from "./demo.js";
import { h, replaceChildren } from "./dom.js";

type Shown = Omit<ChatMessage, "sessionId">;
const PAGE = 30;

export class ChatView {
  private readonly client: MessagePlatformClient;
  private conversations: Conversation[] = [];
  private online = new Map<string, boolean>();
  private openId: string | undefined;
  private messages = new Map<string, Shown>();
  private hasOlder = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly state = h("span", { class: "state", "data-testid": "connection-state", "data-state": "connecting" }, "connecting");
  private readonly list = h("ul", { class: "conversations", "data-testid": "conversation-list" });
  private readonly title = h("h2", { "data-testid": "conversation-title" }, "No conversation open");
  private readonly timeline = h("ol", { class: "messages", "data-testid": "messages" });
  private readonly input = h("input", { "data-testid": "message-input", placeholder: "Write a message", autocomplete: "off", disabled: true });
  private readonly sendButton = h("button", { "data-testid": "message-send", type: "submit", disabled: true }, "Send");
  private readonly status = h("p", { class: "status", "data-testid": "status" });

  constructor(private readonly me: SignIn, private readonly root: HTMLElement) {
    this.client = new MessagePlatformClient({
      baseUrl: me.baseUrl, userId: me.userId, token: me.token,
      store: new LocalStorageStore("webchat:"),
      // A demo is watched while a node restarts: come back within seconds, not the default ten.
      reconnectMaxMs: 3_000, pollIntervalMs: 2_000,
    });
  }

  async start(): Promise<void> {
    this.layout();
    this.client.on("state", (state) => { this.state.textContent = state; this.state.dataset.state = state; });
    this.client.on("message", (m) => this.onMessage(m));
    this.client.on("retract", (r) => {
      const shown = r.sessionId === this.openId ? this.messages.get(r.msgId) : undefined;
      if (shown) { this.messages.set(r.msgId, { ...shown, retracted: true, body: null }); this.renderMessages(); }
      this.refreshSoon();
    });
    this.client.on("error", (e) => this.say(`error: ${e.message}`));
    await this.client.connect();
    await this.refresh();
    setInterval(() => void this.refreshPresence(), 3_000);
  }

  private layout(): void {
    const newChat = h("input", { "data-testid": "new-chat-user", placeholder: "chat with user id…", autocomplete: "off" });
    const newChatForm = h("form", { class: "new-chat" }, newChat, h("button", { "data-testid": "new-chat-submit", type: "submit" }, "Chat"));
    newChatForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const peer = newChat.value.trim();
      if (!peer) return;
      void openChat(this.me.userId, peer).then(async (sessionId) => {
        newChat.value = "";
        await this.refresh();
        await this.open(sessionId);
      }, (e: Error) => this.say(e.message));
    });
    const composer = h("form", { class: "composer" }, this.input, this.sendButton);
    composer.addEventListener("submit", (event) => { event.preventDefault(); void this.send(); });
    this.root.replaceChildren(
      h("header", {}, h("strong", {}, "MessagePlatform"), h("span", { "data-testid": "me" }, `signed in as ${this.me.userId}`), this.state),
      h("main", {},
        h("aside", {}, newChatForm, this.list),
        h("section", { class: "conversation-view" }, this.title, this.timeline, composer, this.status)));
  }

  private onMessage(message: ChatMessage): void {
    if (message.sessionId === this.openId) {
      this.messages.set(message.msgId, message);
      this.renderMessages();
      void this.client.markRead(message.sessionId, message.seq).then(() => this.refreshSoon(), () => undefined);
    }
    this.refreshSoon();
  }

  private async open(sessionId: string): Promise<void> {
    this.openId = sessionId;
    this.messages = new Map();
    this.title.textContent = this.nameOf(sessionId);
    this.input.disabled = false;
    this.sendButton.disabled = false;
    this.renderConversations();
    await this.loadOlder(Number.MAX_SAFE_INTEGER);
    const last = Math.max(0, ...[...this.messages.values()].map((m) => m.seq));
    if (last > 0) await this.client.markRead(sessionId, last).catch(() => undefined);
    await this.refresh();
    this.input.focus();
  }

  private async loadOlder(beforeSeq: number): Promise<void> {
    const sessionId = this.openId!;
    const page = await this.client.history(sessionId, { beforeSeq, limit: PAGE });
    if (sessionId !== this.openId) return;
    for (const m of page.messages) if (!this.messages.has(m.msgId)) this.messages.set(m.msgId, m);
    this.hasOlder = page.hasMore;
    this.renderMessages();
  }

  private async send(): Promise<void> {
    const text = this.input.value.trim();
    const sessionId = this.openId;
    if (!text || !sessionId) return;
    this.input.value = "";
    try {
      // Queued by the SDK until durable, also while offline; the message itself arrives as an event.
      const sent = await this.client.send(sessionId, { type: "text", body: { text } });
      if (sessionId === this.openId && !this.messages.has(sent.msgId)) {
        this.messages.set(sent.msgId, { msgId: sent.msgId, seq: sent.seq, from: this.me.userId, type: "text", body: { text },
          priority: "normal", sentAt: new Date().toISOString(), retracted: false });
        this.renderMessages();
      }
      await this.client.markRead(sessionId, sent.seq).catch(() => undefined);
    } catch (e) {
      this.say(`not sent: ${(e as Error).message}`);
    }
  }

  private async retract(msgId: string): Promise<void> {
    try {
      await this.client.retract(this.openId!, msgId);
    } catch (e) {
      this.say(`not retracted: ${(e as Error).message}`);
    }
  }

  private refreshSoon(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), 150);
  }

  private async refresh(): Promise<void> {
    try {
      this.conversations = await this.client.conversations();
    } catch {
      return; // offline: the list stays as it was until the next event or poll
    }
    this.renderConversations();
    await this.refreshPresence();
  }

  private async refreshPresence(): Promise<void> {
    const peers = [...new Set(this.conversations.map((c) => this.nameOf(c.sessionId)))].slice(0, 100);
    if (peers.length === 0) return;
    try {
      for (const p of await presence(peers)) this.online.set(p.userId, p.online);
      this.renderConversations();
    } catch {
      // the node is away; presence comes back with it
    }
  }

  private renderConversations(): void {
    replaceChildren(this.list, this.conversations.map((c) => {
      const name = this.nameOf(c.sessionId);
      const last = c.lastMessage;
      const item = h("li", { "data-testid": "conversation", "data-session-id": c.sessionId, class: c.sessionId === this.openId ? "open" : undefined },
        h("span", { class: "presence", "data-testid": "presence", "data-online": String(this.online.get(name) ?? false),
          title: this.online.get(name) ? "online" : "offline" }),
        h("span", { class: "name" }, name),
        h("span", { class: "preview" }, last ? (last.retracted ? "retracted" : `${last.from}: ${textOf(last.body)}`) : ""),
        h("span", { class: "badge", "data-testid": "unread-badge", hidden: c.unread === 0 }, String(c.unread)));
      item.addEventListener("click", () => void this.open(c.sessionId));
      return item;
    }));
  }

  private renderMessages(): void {
    const shown = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    const older = this.hasOlder ? h("li", { class: "older" }, h("button", { "data-testid": "history-more", type: "button" }, "Load older")) : null;
    older?.addEventListener("click", () => void this.loadOlder(shown[0]?.seq ?? Number.MAX_SAFE_INTEGER));
    const atBottom = this.timeline.scrollHeight - this.timeline.scrollTop - this.timeline.clientHeight < 40;
    replaceChildren(this.timeline, [older, ...shown.map((m) => {
      const mine = m.from === this.me.userId;
      const retract = mine && !m.retracted ? h("button", { "data-testid": "message-retract", type: "button", title: "Retract" }, "retract") : null;
      retract?.addEventListener("click", () => void this.retract(m.msgId));
      return h("li", { "data-testid": "message", "data-msg-id": m.msgId, "data-seq": String(m.seq), "data-retracted": String(m.retracted),
        class: mine ? "mine" : "theirs" },
        h("span", { class: "from" }, m.from),
        h("span", { class: "text", "data-testid": "message-text" }, m.retracted ? "message retracted" : textOf(m.body)),
        retract);
    })]);
    if (atBottom || shown.length <= PAGE) this.timeline.scrollTop = this.timeline.scrollHeight;
  }

  /** A c2c's name is the other user; other sessions go by their id. */
  private nameOf(sessionId: string): string {
    const parts = sessionId.split(":");
    if (parts.length === 3 && parts[0] === "c2c") return parts[1] === this.me.userId ? parts[2]! : parts[1]!;
    return sessionId;
  }

  private say(text: string): void { this.status.textContent = text; }
}

function textOf(body: unknown): string {
  if (body && typeof body === "object" && typeof (body as { text?: unknown }).text === "string") return (body as { text: string }).text;
  return JSON.stringify(body);
}
