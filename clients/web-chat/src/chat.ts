// The chat: conversations with unread counts (the platform's, refreshed on every event), one open
// conversation with its history paged backwards, send, reply, mention, edit, react, pin and
// retract, who has read what, who is typing, the peers' presence and the connection state.
// What a message looks like now is the SDK's timeline (history pages and exactly-once events);
// the view only keeps which of its messages are on screen.

import { LocalStorageStore, MessagePlatformClient, type ChatMessage, type Conversation, type MessageView } from "@messageplatform/client";
import { Composer, type Draft } from "./composer.js";
import { openChat, presence, type SignIn } from "./demo.js";
import { h, replaceChildren } from "./dom.js";
import { conversationItem } from "./conversation-item.js";
import { messageItem, type MessageActions } from "./message-item.js";

const PAGE = 30;
/** How long "typing…" shows after the last hint; the platform passes on one per user every 2 s. */
const TYPING_MS = 4_000;

export class ChatView {
  private readonly client: MessagePlatformClient;
  private conversations: Conversation[] = [];
  private online = new Map<string, boolean>();
  private openId: string | undefined;
  private shown = new Set<string>();
  private hasOlder = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private typingUntil = new Map<string, number>();
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly state = h("span", { class: "state", "data-testid": "connection-state", "data-state": "connecting" }, "connecting");
  private readonly list = h("ul", { class: "conversations", "data-testid": "conversation-list" });
  private readonly title = h("h2", { "data-testid": "conversation-title" }, "No conversation open");
  private readonly timeline = h("ol", { class: "messages", "data-testid": "messages" });
  private readonly peerPresence = h("span", { class: "presence", "data-testid": "peer-presence", "data-online": "false", hidden: true });
  private readonly typingIndicator = h("p", { class: "typing", "data-testid": "typing-indicator", hidden: true });
  private readonly composer = new Composer(() => this.members(), (draft) => void this.submit(draft), () => this.openId && this.client.typing(this.openId));
  private readonly actions: MessageActions = {
    edit: (m) => this.composer.edit(m),
    reply: (m) => this.composer.reply(m),
    retract: (m) => void this.retract(m.msgId),
    toggleReaction: (m, reaction) => void this.toggleReaction(m, reaction),
    togglePin: (m) => void this.togglePin(m),
  };
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
    // The timeline has applied each of these before the handler runs: drawing again shows it.
    this.client.on("retract", (r) => { this.renderIfOpen(r.sessionId); this.refreshSoon(); });
    this.client.on("edit", (e) => { this.renderIfOpen(e.sessionId); this.refreshSoon(); });
    for (const kind of ["reaction", "pin", "unpin"] as const) this.client.on(kind, (e) => this.renderIfOpen(e.sessionId));
    this.client.on("read", (r) => {
      this.renderIfOpen(r.sessionId);
      if (r.userId === this.me.userId) this.refreshSoon(); // read on another device: the unread badge follows
    });
    this.client.on("typing", (t) => {
      if (t.sessionId !== this.openId || t.userId === this.me.userId) return;
      this.typingUntil.set(t.userId, Date.now() + TYPING_MS);
      this.renderTyping();
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
    this.root.replaceChildren(
      h("header", {}, h("strong", {}, "MessagePlatform"), h("span", { "data-testid": "me" }, `signed in as ${this.me.userId}`), this.state),
      h("main", {},
        h("aside", {}, newChatForm, this.list),
        h("section", { class: "conversation-view" }, h("div", { class: "title" }, this.peerPresence, this.title),
          this.timeline, this.typingIndicator, this.composer.element, this.status)));
  }

  private onMessage(message: ChatMessage): void {
    if (message.sessionId === this.openId) {
      this.shown.add(message.msgId);
      this.typingUntil.delete(message.from); // they sent what they were typing
      this.renderTyping();
      this.renderMessages();
      void this.client.markRead(message.sessionId, message.seq).then(() => this.refreshSoon(), () => undefined);
    }
    this.refreshSoon();
  }

  private async open(sessionId: string): Promise<void> {
    this.openId = sessionId;
    this.shown = new Set();
    this.typingUntil.clear();
    this.renderTyping();
    this.title.textContent = this.nameOf(sessionId);
    this.composer.enable(true);
    this.renderConversations();
    this.renderPeer();
    await this.loadOlder(Number.MAX_SAFE_INTEGER);
    // Who has read what and what is pinned: the timeline keeps both current from the events after this.
    await Promise.all([this.client.receipts(sessionId), this.client.listPins(sessionId)].map((p) => p.catch(() => undefined)));
    this.renderMessages();
    const last = Math.max(0, ...this.views().map((m) => m.seq));
    if (last > 0) await this.client.markRead(sessionId, last).catch(() => undefined);
    await this.refresh();
    this.composer.input.focus();
  }

  private async loadOlder(beforeSeq: number): Promise<void> {
    const sessionId = this.openId!;
    const page = await this.client.history(sessionId, { beforeSeq, limit: PAGE });
    if (sessionId !== this.openId) return;
    for (const m of page.messages) this.shown.add(m.msgId);
    this.hasOlder = page.hasMore;
    this.renderMessages();
  }

  private async submit(draft: Draft): Promise<void> {
    const sessionId = this.openId;
    if (!sessionId) return;
    if (draft.editing) return this.edit(sessionId, draft.editing, draft.text);
    try {
      // Queued by the SDK until durable, also while offline; the message itself arrives as an event.
      const sent = await this.client.send(sessionId, { type: "text", body: { text: draft.text }, replyTo: draft.replyTo, mentions: draft.mentions });
      const mine: ChatMessage = { sessionId, msgId: sent.msgId, seq: sent.seq, from: this.me.userId, type: "text", body: { text: draft.text },
        priority: "normal", sentAt: new Date().toISOString(), retracted: false, replyTo: draft.replyTo, mentions: draft.mentions };
      this.client.timeline.apply({ kind: "message", data: mine }); // shown now; the event, when it comes, changes nothing
      if (sessionId === this.openId) { this.shown.add(sent.msgId); this.renderMessages(); }
      await this.client.markRead(sessionId, sent.seq).catch(() => undefined);
    } catch (e) {
      this.say(`not sent: ${(e as Error).message}`);
    }
  }

  private async edit(sessionId: string, message: MessageView, text: string): Promise<void> {
    try {
      const { editedAt } = await this.client.edit(sessionId, message.msgId, { text });
      this.client.timeline.apply({ kind: "edit", data: { sessionId, msgId: message.msgId, body: { text }, editedAt, by: this.me.userId } });
      this.renderIfOpen(sessionId);
    } catch (e) {
      this.say(`not edited: ${(e as Error).message}`);
    }
  }

  private async toggleReaction(message: MessageView, reaction: string): Promise<void> {
    const added = !message.reactions[reaction]?.me;
    try {
      await (added ? this.client.react(message.sessionId, message.msgId, reaction) : this.client.unreact(message.sessionId, message.msgId, reaction));
      this.client.timeline.apply({ kind: "reaction", data: { sessionId: message.sessionId, msgId: message.msgId, reaction, by: this.me.userId, added } });
      this.renderIfOpen(message.sessionId);
    } catch (e) {
      this.say(`reaction not ${added ? "added" : "removed"}: ${(e as Error).message}`);
    }
  }

  private async togglePin(message: MessageView): Promise<void> {
    const { sessionId, msgId } = message;
    try {
      await (message.pinned ? this.client.unpin(sessionId, msgId) : this.client.pin(sessionId, msgId));
      this.client.timeline.apply({ kind: message.pinned ? "unpin" : "pin", data: { sessionId, msgId, by: this.me.userId } });
      this.renderIfOpen(sessionId);
    } catch (e) {
      this.say(`not ${message.pinned ? "unpinned" : "pinned"}: ${(e as Error).message}`);
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
      this.renderPeer();
    } catch {
      // the node is away; presence comes back with it
    }
  }

  private renderConversations(): void {
    replaceChildren(this.list, this.conversations.map((c) => {
      const name = this.nameOf(c.sessionId);
      return conversationItem(c, {
        name, online: this.online.get(name) ?? false, open: c.sessionId === this.openId,
        select: () => void this.open(c.sessionId),
        settings: (change) => void this.client.setConversationSettings(c.sessionId, change)
          .then(() => this.refresh(), (e: Error) => this.say(`settings not changed: ${e.message}`)),
      });
    }));
  }

  private views(): MessageView[] {
    const sessionId = this.openId;
    if (!sessionId) return [];
    return [...this.shown].map((id) => this.client.timeline.get(sessionId, id)).filter((m): m is MessageView => m !== undefined)
      .sort((a, b) => a.seq - b.seq);
  }

  private renderIfOpen(sessionId: string): void {
    if (sessionId === this.openId) this.renderMessages();
  }

  private renderMessages(): void {
    const sessionId = this.openId!;
    const timeline = this.client.timeline;
    const shown = this.views();
    const older = this.hasOlder ? h("li", { class: "older" }, h("button", { "data-testid": "history-more", type: "button" }, "Load older")) : null;
    older?.addEventListener("click", () => void this.loadOlder(shown[0]?.seq ?? Number.MAX_SAFE_INTEGER));
    const atBottom = this.timeline.scrollHeight - this.timeline.scrollTop - this.timeline.clientHeight < 40;
    replaceChildren(this.timeline, [older, ...shown.map((m) => messageItem(m, {
      me: this.me.userId,
      quoted: m.replyTo ? timeline.get(sessionId, m.replyTo) : undefined,
      readBy: m.from === this.me.userId ? timeline.readBy(sessionId, m.msgId) : [],
      actions: this.actions,
    }))]);
    if (atBottom || shown.length <= PAGE) this.timeline.scrollTop = this.timeline.scrollHeight;
  }

  private renderTyping(): void {
    clearTimeout(this.typingTimer);
    const now = Date.now();
    for (const [user, until] of this.typingUntil) if (until <= now) this.typingUntil.delete(user);
    const who = [...this.typingUntil.keys()];
    this.typingIndicator.hidden = who.length === 0;
    this.typingIndicator.textContent = who.length === 0 ? "" : `${who.join(", ")} ${who.length === 1 ? "is" : "are"} typing…`;
    if (who.length > 0) this.typingTimer = setTimeout(() => this.renderTyping(), Math.min(...this.typingUntil.values()) - now + 10);
  }

  /** The other user of an open c2c: online or not, next to its name. */
  private renderPeer(): void {
    const peer = this.openId ? this.nameOf(this.openId) : undefined;
    const c2c = peer !== undefined && peer !== this.openId;
    this.peerPresence.hidden = !c2c;
    const online = c2c && (this.online.get(peer) ?? false);
    this.peerPresence.dataset.online = String(online);
    this.peerPresence.title = online ? `${peer} is online` : `${peer} is offline`;
  }

  /** Who may be mentioned: a c2c's two users (other sessions: anyone named, the platform checks). */
  private members(): string[] {
    if (!this.openId) return [];
    const parts = this.openId.split(":");
    return parts.length === 3 && parts[0] === "c2c" ? [parts[1]!, parts[2]!] : [];
  }

  /** A c2c's name is the other user; other sessions go by their id. */
  private nameOf(sessionId: string): string {
    const parts = sessionId.split(":");
    if (parts.length === 3 && parts[0] === "c2c") return parts[1] === this.me.userId ? parts[2]! : parts[1]!;
    return sessionId;
  }

  private say(text: string): void { this.status.textContent = text; }
}
