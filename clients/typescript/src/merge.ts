// Pushed frames and pulled sync pages both carry the user's messages; the app must see each one
// once, in seq order per session. Seqs are positions in the session's event stream, so they are
// not consecutive (retractions and membership take positions too): a frame one past the last
// emitted seq is surely next, anything further may have an unseen message before it. Such a frame
// is held and a sync is asked for; the sync cursor is the platform's word on completeness (sync.md),
// so whatever the sync returns fills the gap, in order, and releases what was held behind it.
// Everything else a session carries (retractions, edits, reactions, pins, read marks) is emitted
// once however often it comes: by a key of its own where it has one (an edit's editedAt), as a
// switch where it can flip back and forth (toggles.ts), as a mark that only moves up (read).
// Pure: no I/O, no timers; the client feeds it and persists its snapshot.

import { Toggles, type ToggleSnapshot } from "./toggles.js";
import type { ChatEvent, ChatMessage, ServerFrame, SyncItem, Priority } from "./types.js";

export interface MergeSnapshot {
  /** The highest message seq emitted, per session. */
  lastSeq: Record<string, number>;
  /** Keys of non-message events already emitted (retractions, edits, reactions, broadcasts), oldest first. */
  seen: string[];
  /** Reactions and pins: each switch's state and the flips pushed ahead of sync. */
  toggles?: ToggleSnapshot;
  /** The highest read mark emitted, per `sessionId|userId`. */
  readSeq?: Record<string, number>;
}

export interface MergeOutcome {
  emit: ChatEvent[];
  /** A gap or a hint: the client should pull sync now. */
  sync: boolean;
}

export interface MergeOptions {
  /** How many non-message event keys to remember for dedupe (bounded: a long-lived client must not grow). */
  seenLimit?: number;
  /** How long a held frame waits for the sync that should fill its gap, ms; then the sync's word stands. */
  holdMs?: number;
}

interface Held { message: ChatMessage; at: number }

export class Merge {
  private readonly lastSeq = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly held = new Map<string, Map<number, Held>>();
  private readonly rooms = new Set<string>();
  private readonly toggles: Toggles;
  private readonly readSeq = new Map<string, number>();
  private readonly seenLimit: number;
  private readonly holdMs: number;

  constructor(snapshot?: MergeSnapshot, options: MergeOptions = {}) {
    this.seenLimit = options.seenLimit ?? 5000;
    this.holdMs = options.holdMs ?? 30_000;
    for (const [session, seq] of Object.entries(snapshot?.lastSeq ?? {})) this.lastSeq.set(session, seq);
    for (const key of snapshot?.seen ?? []) this.seen.add(key);
    for (const [key, seq] of Object.entries(snapshot?.readSeq ?? {})) this.readSeq.set(key, seq);
    this.toggles = new Toggles(snapshot?.toggles, this.seenLimit, this.holdMs);
  }

  /** Rooms are never in sync (API.md), so their frames are emitted as they come, newest seq wins. */
  joinRoom(sessionId: string): void { this.rooms.add(sessionId); }
  leaveRoom(sessionId: string): void { this.rooms.delete(sessionId); }

  snapshot(): MergeSnapshot {
    return {
      lastSeq: Object.fromEntries(this.lastSeq), seen: [...this.seen],
      toggles: this.toggles.snapshot(), readSeq: Object.fromEntries(this.readSeq),
    };
  }

  /** A new socket is open: pushes the old one lost will come by sync, not as frames. */
  socketOpened(): void { this.toggles.socketOpened(); }

  /** Frames are held waiting for a sync: the client should keep pulling until none is. */
  get holding(): boolean {
    return this.held.size > 0;
  }

  /** A frame from the WebSocket. `now` (ms) dates held frames. */
  frame(frame: ServerFrame, now: number): MergeOutcome {
    switch (frame.type) {
      case "message": {
        const message = messageOfFrame(frame);
        if (this.rooms.has(message.sessionId)) return { emit: this.emitIfNewer(message), sync: false };
        return this.pushed(message, now);
      }
      case "sync":
        return { emit: [], sync: true };
      case "typing":
        return { emit: [{ kind: "typing", data: { sessionId: str(frame.sessionId), userId: str(frame.userId) } }], sync: false };
      default: {
        const event = eventOf(frame.type, frame);
        if (event && this.ahead(event)) return { emit: [], sync: true };
        const toggle = event && toggleOf(event);
        if (toggle) {
          const outcome = this.toggles.fromFrame(toggle.id, toggle.on, now, !this.rooms.has(toggle.sessionId));
          return { emit: outcome === "emit" ? [event] : [], sync: outcome === "sync" };
        }
        return { emit: event ? this.news(event) : [], sync: false };
      }
    }
  }

  /**
   * A pushed edit or reaction of a message not emitted yet (its frame held behind a gap, or still on
   * its way): the app must see the message first, and sync has both, in order.
   */
  private ahead(event: ChatEvent): boolean {
    if (event.kind !== "edit" && !(event.kind === "reaction" && !("counts" in event.data))) return false;
    const { sessionId, seq } = event.data;
    if (seq === undefined || this.rooms.has(sessionId)) return false;
    const last = this.lastSeq.get(sessionId);
    return last === undefined || seq > last;
  }

  /** A page of sync, in the platform's order. `now` (ms) dates the flips it delivers ahead of their frames. */
  page(items: SyncItem[], now = 0): ChatEvent[] {
    const emit: ChatEvent[] = [];
    const touched = new Set<string>();
    for (const item of items) {
      if (item.kind === "message") {
        const message = messageOfItem(item);
        emit.push(...this.emitIfNewer(message));
        touched.add(message.sessionId);
      } else {
        const event = eventOf(item.kind, item);
        const toggle = event && toggleOf(event);
        if (toggle) {
          if (this.toggles.fromSync(toggle.id, toggle.on, now)) emit.push(event);
        } else if (event) {
          emit.push(...this.news(event));
        }
      }
    }
    for (const session of touched) emit.push(...this.release(session));
    return emit;
  }

  /** Drops held frames older than holdMs: a frame sync never confirmed is not the user's to see. */
  expire(now: number): void {
    for (const [session, frames] of this.held) {
      for (const [seq, held] of frames) if (now - held.at > this.holdMs) frames.delete(seq);
      if (frames.size === 0) this.held.delete(session);
    }
  }

  private pushed(message: ChatMessage, now: number): MergeOutcome {
    const last = this.lastSeq.get(message.sessionId);
    if (last !== undefined && message.seq <= last) return { emit: [], sync: false }; // a duplicate or a resend
    if (last !== undefined && message.seq === last + 1) {
      return { emit: [...this.emitIfNewer(message), ...this.release(message.sessionId)], sync: false };
    }
    let frames = this.held.get(message.sessionId);
    if (!frames) this.held.set(message.sessionId, (frames = new Map()));
    if (!frames.has(message.seq)) frames.set(message.seq, { message, at: now });
    return { emit: [], sync: true };
  }

  /** Emits held frames that are now known to be next (one past the last seq), and forgets the outrun ones. */
  private release(sessionId: string): ChatEvent[] {
    const frames = this.held.get(sessionId);
    if (!frames) return [];
    const emit: ChatEvent[] = [];
    for (;;) {
      const last = this.lastSeq.get(sessionId) ?? -Infinity;
      for (const seq of frames.keys()) if (seq <= last) frames.delete(seq);
      const next = frames.get(last + 1);
      if (!next) break;
      frames.delete(last + 1);
      emit.push(...this.emitIfNewer(next.message));
    }
    if (frames.size === 0) this.held.delete(sessionId);
    return emit;
  }

  private emitIfNewer(message: ChatMessage): ChatEvent[] {
    const last = this.lastSeq.get(message.sessionId);
    if (last !== undefined && message.seq <= last) return [];
    this.lastSeq.set(message.sessionId, message.seq);
    return [{ kind: "message", data: message }];
  }

  /** The event (not a switch's flip) if the app has not had it yet, pushed or pulled. */
  private news(event: ChatEvent): ChatEvent[] {
    if (event.kind === "reaction") return [event]; // a room's totals: the newest is the truth, repeating it is harmless
    if (event.kind === "read") {
      const key = `${event.data.sessionId}|${event.data.userId}`;
      if ((this.readSeq.get(key) ?? -Infinity) >= event.data.seq) return [];
      this.readSeq.delete(key);
      this.readSeq.set(key, event.data.seq);
      while (this.readSeq.size > this.seenLimit) this.readSeq.delete(this.readSeq.keys().next().value as string);
      return [event];
    }
    return this.once(event);
  }

  private once(event: ChatEvent): ChatEvent[] {
    const key = keyOf(event);
    if (this.seen.has(key)) return [];
    this.seen.add(key);
    // A Set iterates in insertion order: the first key is the oldest.
    while (this.seen.size > this.seenLimit) this.seen.delete(this.seen.values().next().value as string);
    return [event];
  }
}

function keyOf(event: ChatEvent): string {
  switch (event.kind) {
    case "retract": return `retract:${event.data.sessionId}:${event.data.msgId}`;
    // seq is the edited message's, the same for each of its edits: the time tells them apart.
    case "edit": return `edit:${event.data.sessionId}:${event.data.msgId}:${event.data.editedAt ?? JSON.stringify(event.data.body)}`;
    case "broadcast": return `broadcast:${event.data.msgId}`;
    default: return `${event.kind}:${JSON.stringify(event.data)}`;
  }
}

/** Reactions of c2c and groups, and pins, are switches (toggles.ts); a room's reaction totals are not. */
function toggleOf(event: ChatEvent): { id: string; on: boolean; sessionId: string } | undefined {
  switch (event.kind) {
    case "reaction":
      if ("counts" in event.data) return undefined;
      return { id: `reaction|${event.data.sessionId}|${event.data.msgId}|${event.data.reaction}|${event.data.by}`, on: event.data.added, sessionId: event.data.sessionId };
    case "pin": return { id: `pin|${event.data.sessionId}|${event.data.msgId}`, on: true, sessionId: event.data.sessionId };
    case "unpin": return { id: `pin|${event.data.sessionId}|${event.data.msgId}`, on: false, sessionId: event.data.sessionId };
    default: return undefined;
  }
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");
const optionalStr = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);
const priorityOf = (value: unknown): Priority => (value === "high" || value === "low" ? value : "normal");

function messageOfFrame(frame: ServerFrame): ChatMessage {
  return withReplies({
    sessionId: str(frame.sessionId), msgId: str(frame.msgId), seq: num(frame.seq) ?? 0, from: str(frame.from),
    type: str(frame.msgType), body: frame.body ?? null, priority: priorityOf(frame.priority), sentAt: str(frame.sentAt),
    retracted: false,
  }, frame);
}

function messageOfItem(item: SyncItem): ChatMessage {
  const message = withReplies({
    sessionId: str(item.sessionId), msgId: item.msgId, seq: item.seq ?? 0, from: str(item.from), type: str(item.type),
    body: item.body ?? null, priority: priorityOf(item.priority), sentAt: str(item.sentAt), retracted: item.retracted === true,
  }, item);
  if (item.edited === true || typeof item.editedAt === "string") message.edited = true;
  if (typeof item.editedAt === "string") message.editedAt = item.editedAt;
  return message;
}

function withReplies(message: ChatMessage, from: object): ChatMessage {
  const source = from as { replyTo?: unknown; mentions?: unknown };
  if (typeof source.replyTo === "string") message.replyTo = source.replyTo;
  if (Array.isArray(source.mentions)) message.mentions = source.mentions as string[];
  return message;
}

/** The events other than messages, from a frame (by `type`) or a sync item (by `kind`): the fields match. */
function eventOf(kind: string, source: Record<string, unknown> | SyncItem): ChatEvent | undefined {
  const s = source as Record<string, unknown>;
  const sessionId = str(s.sessionId);
  const msgId = str(s.msgId);
  switch (kind) {
    case "retract": return { kind: "retract", data: { sessionId, msgId } };
    case "edit": return {
      kind: "edit",
      data: { sessionId, msgId, seq: num(s.seq), body: s.body ?? null, editedAt: optionalStr(s.editedAt), by: optionalStr(s.by) },
    };
    case "reaction":
      if (s.counts && typeof s.counts === "object") {
        return { kind: "reaction", data: { sessionId, msgId, seq: num(s.seq), counts: { ...(s.counts as Record<string, number>) } } };
      }
      return { kind: "reaction", data: { sessionId, msgId, seq: num(s.seq), reaction: str(s.reaction), by: str(s.by), added: s.added !== false } };
    // The frame says when a pin was made as pinnedAt, the sync item as at.
    case "pin": return { kind: "pin", data: { sessionId, msgId, by: str(s.by), at: optionalStr(s.pinnedAt ?? s.at) } };
    case "unpin": return { kind: "unpin", data: { sessionId, msgId, by: str(s.by), at: optionalStr(s.at) } };
    case "read": return { kind: "read", data: { sessionId, userId: str(s.userId), seq: num(s.seq) ?? 0 } };
    case "broadcast": return {
      kind: "broadcast",
      data: {
        msgId, type: str(s.msgType ?? s.type), body: s.body ?? null, tags: (s.tags as string[] | null) ?? undefined,
        priority: priorityOf(s.priority), sentAt: str(s.sentAt),
      },
    };
    default: return undefined; // pong, sent, error and frames of later versions are not chat events
  }
}
