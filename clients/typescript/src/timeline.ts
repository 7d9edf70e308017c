// What an app draws for a message: its latest body, whether it was edited or retracted, its
// reactions (totals, and whether the user is among them), whether it is pinned; and per session
// how far each member has read. Built from history pages and the client's events (which the merge
// already made exactly-once), so a chat view needs no bookkeeping of its own.
// History gives reaction totals without names (but for the user's own): a user's reaction is
// counted once however often its "added" comes, and a removal by a user not known by name takes
// one of history's unnamed reactors. (A change committed while a history page was being read can
// still be counted twice; reading the page again settles it.)
// Pure: no I/O.

import type { ChatEvent, ChatMessage, HistoryMessage } from "./types.js";

export interface MessageView {
  sessionId: string;
  msgId: string;
  seq: number;
  from: string;
  type: string;
  body: unknown;
  sentAt: string;
  retracted: boolean;
  edited: boolean;
  editedAt?: string;
  replyTo?: string;
  mentions?: string[];
  reactions: Record<string, { count: number; me: boolean }>;
  pinned: boolean;
}

/** Per reaction, the users known to have it on (true) or off (false); history names only the user itself. */
interface Entry {
  view: MessageView;
  reactors: Map<string, Map<string, boolean>>;
  /** Totals came pushed (a room, a big group): they are the count; single changes only say whether `me`. */
  totals?: boolean;
}

export class Timeline {
  private readonly sessions = new Map<string, Map<string, Entry>>();
  private readonly reads = new Map<string, Map<string, number>>();
  /**
   * Changes of messages not known yet, per `sessionId|msgId`: a pushed reaction can overtake its
   * message's frame held behind a gap. The message event applies them; a history page, which shows
   * them already, drops them.
   */
  private readonly early = new Map<string, ChatEvent[]>();

  /** `me` is the user the client runs as: its reactions set `me`. `perSession` bounds memory (oldest seqs go). */
  constructor(private readonly me: string, private readonly perSession = 2000) {}

  get(sessionId: string, msgId: string): MessageView | undefined {
    return this.sessions.get(sessionId)?.get(msgId)?.view;
  }

  /** The session's known messages in seq order. */
  list(sessionId: string): MessageView[] {
    return [...(this.sessions.get(sessionId)?.values() ?? [])].map((e) => e.view).sort((a, b) => a.seq - b.seq);
  }

  /** Each member's read mark as far as known (receipts loaded, read events since). */
  readMarks(sessionId: string): Map<string, number> {
    return new Map(this.reads.get(sessionId) ?? []);
  }

  /** Members other than the sender who have read the message. */
  readBy(sessionId: string, msgId: string): string[] {
    const view = this.get(sessionId, msgId);
    if (!view) return [];
    return [...(this.reads.get(sessionId) ?? [])].filter(([user, seq]) => user !== view.from && seq >= view.seq).map(([user]) => user);
  }

  /** History (or replies) as the platform shows it now: it replaces what was known of those messages. */
  load(sessionId: string, messages: HistoryMessage[]): void {
    for (const m of messages) {
      const reactions: MessageView["reactions"] = {};
      const reactors = new Map<string, Map<string, boolean>>();
      for (const [reaction, { count, me }] of Object.entries(m.reactions ?? {})) {
        reactions[reaction] = { count, me: me === true };
        reactors.set(reaction, new Map([[this.me, me === true]]));
      }
      const known = this.get(sessionId, m.msgId);
      this.early.delete(`${sessionId}|${m.msgId}`);
      this.put({ view: {
        ...viewOf({ ...m, sessionId, editedAt: m.editedAt ?? undefined }), reactions, pinned: known?.pinned ?? false,
      }, reactors });
    }
  }

  /** A member's read mark from `GET …/receipts`. */
  loadReceipts(sessionId: string, members: { userId: string; readSeq: number }[]): void {
    for (const { userId, readSeq } of members) this.markRead(sessionId, userId, readSeq);
  }

  /** Pinned messages from `GET …/pins`. */
  loadPins(sessionId: string, msgIds: string[]): void {
    const pinned = new Set(msgIds);
    for (const entry of this.sessions.get(sessionId)?.values() ?? []) entry.view = { ...entry.view, pinned: pinned.has(entry.view.msgId) };
  }

  /** One of the client's events; returns the message view it changed, if any. */
  apply(event: ChatEvent): MessageView | undefined {
    switch (event.kind) {
      case "message": {
        const known = this.get(event.data.sessionId, event.data.msgId);
        if (known) return known; // history already showed it, maybe newer
        this.put({ view: viewOf(event.data), reactors: new Map() });
        const key = `${event.data.sessionId}|${event.data.msgId}`;
        const early = this.early.get(key) ?? [];
        this.early.delete(key);
        for (const change of early) this.apply(change);
        return this.get(event.data.sessionId, event.data.msgId);
      }
      case "retract": return this.change(event.data.sessionId, event.data.msgId, (e) => { e.view = { ...e.view, retracted: true, body: null }; }, event);
      case "edit": return this.change(event.data.sessionId, event.data.msgId, (e) => {
        const at = event.data.editedAt;
        if (e.view.retracted || (at && e.view.editedAt && Date.parse(at) < Date.parse(e.view.editedAt))) return; // an older version
        e.view = { ...e.view, body: event.data.body, edited: true, editedAt: at ?? e.view.editedAt };
      }, event);
      case "reaction": return this.change(event.data.sessionId, event.data.msgId, (e) => {
        const reactions = { ...e.view.reactions };
        if ("counts" in event.data) {
          e.totals = true;
          for (const [reaction, count] of Object.entries(event.data.counts)) {
            if (count > 0) reactions[reaction] = { count, me: reactions[reaction]?.me ?? false };
            else delete reactions[reaction];
          }
        } else {
          const { reaction, by, added } = event.data;
          if (e.totals) {
            if (by === this.me && reactions[reaction]) reactions[reaction] = { ...reactions[reaction]!, me: added };
            e.view = { ...e.view, reactions };
            return;
          }
          const known = e.reactors.get(reaction) ?? new Map<string, boolean>();
          const shown = reactions[reaction] ?? { count: 0, me: false };
          const unnamed = shown.count - [...known.values()].filter(Boolean).length; // counted by history, names unknown
          let count = shown.count;
          const was = known.get(by);
          if (added && was !== true) count += 1;
          if (!added && (was === true || (was === undefined && unnamed > 0))) count = Math.max(0, count - 1);
          known.set(by, added);
          e.reactors.set(reaction, known);
          if (count > 0) reactions[reaction] = { count, me: by === this.me ? added : shown.me };
          else delete reactions[reaction];
        }
        e.view = { ...e.view, reactions };
      }, event);
      case "pin": return this.change(event.data.sessionId, event.data.msgId, (e) => { e.view = { ...e.view, pinned: true }; }, event);
      case "unpin": return this.change(event.data.sessionId, event.data.msgId, (e) => { e.view = { ...e.view, pinned: false }; }, event);
      case "read": this.markRead(event.data.sessionId, event.data.userId, event.data.seq); return undefined;
      default: return undefined;
    }
  }

  private markRead(sessionId: string, userId: string, seq: number): void {
    let marks = this.reads.get(sessionId);
    if (!marks) this.reads.set(sessionId, (marks = new Map()));
    if ((marks.get(userId) ?? -Infinity) < seq) marks.set(userId, seq);
  }

  private change(sessionId: string, msgId: string, change: (entry: Entry) => void, event?: ChatEvent): MessageView | undefined {
    const entry = this.sessions.get(sessionId)?.get(msgId);
    if (!entry) {
      // Kept for the message's arrival (bounded: a change of a message the app never loads is only history's).
      if (event) this.early.set(`${sessionId}|${msgId}`, [...(this.early.get(`${sessionId}|${msgId}`) ?? []), event]);
      while (this.early.size > 1000) this.early.delete(this.early.keys().next().value as string);
      return undefined;
    }
    change(entry);
    return entry.view;
  }

  private put(entry: Entry): Entry {
    let messages = this.sessions.get(entry.view.sessionId);
    if (!messages) this.sessions.set(entry.view.sessionId, (messages = new Map()));
    messages.set(entry.view.msgId, entry);
    if (messages.size > this.perSession) {
      const oldest = [...messages.values()].reduce((a, b) => (a.view.seq <= b.view.seq ? a : b));
      messages.delete(oldest.view.msgId);
    }
    return entry;
  }
}

function viewOf(m: ChatMessage): MessageView {
  const view: MessageView = {
    sessionId: m.sessionId, msgId: m.msgId, seq: m.seq, from: m.from, type: m.type, body: m.retracted ? null : m.body,
    sentAt: m.sentAt, retracted: m.retracted, edited: m.edited === true || m.editedAt !== undefined, reactions: {}, pinned: false,
  };
  if (m.editedAt) view.editedAt = m.editedAt;
  if (m.replyTo) view.replyTo = m.replyTo;
  if (m.mentions) view.mentions = m.mentions;
  return view;
}
