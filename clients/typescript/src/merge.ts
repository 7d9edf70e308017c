// Pushed frames and pulled sync pages both carry the user's messages; the app must see each one
// once, in seq order per session. Seqs are positions in the session's event stream, so they are
// not consecutive (retractions and membership take positions too): a frame one past the last
// emitted seq is surely next, anything further may have an unseen message before it. Such a frame
// is held and a sync is asked for; the sync cursor is the platform's word on completeness (sync.md),
// so whatever the sync returns fills the gap, in order, and releases what was held behind it.
// Pure: no I/O, no timers; the client feeds it and persists its snapshot.

import type { ChatEvent, ChatMessage, ServerFrame, SyncItem, Priority } from "./types.js";

export interface MergeSnapshot {
  /** The highest message seq emitted, per session. */
  lastSeq: Record<string, number>;
  /** Keys of non-message events already emitted (retractions, edits, reactions, broadcasts), oldest first. */
  seen: string[];
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
  private readonly seenLimit: number;
  private readonly holdMs: number;

  constructor(snapshot?: MergeSnapshot, options: MergeOptions = {}) {
    this.seenLimit = options.seenLimit ?? 5000;
    this.holdMs = options.holdMs ?? 30_000;
    for (const [session, seq] of Object.entries(snapshot?.lastSeq ?? {})) this.lastSeq.set(session, seq);
    for (const key of snapshot?.seen ?? []) this.seen.add(key);
  }

  /** Rooms are never in sync (API.md), so their frames are emitted as they come, newest seq wins. */
  joinRoom(sessionId: string): void { this.rooms.add(sessionId); }
  leaveRoom(sessionId: string): void { this.rooms.delete(sessionId); }

  snapshot(): MergeSnapshot {
    return { lastSeq: Object.fromEntries(this.lastSeq), seen: [...this.seen] };
  }

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
        return { emit: event ? this.once(event) : [], sync: false };
      }
    }
  }

  /** A page of sync, in the platform's order. */
  page(items: SyncItem[]): ChatEvent[] {
    const emit: ChatEvent[] = [];
    const touched = new Set<string>();
    for (const item of items) {
      if (item.kind === "message") {
        const message = messageOfItem(item);
        emit.push(...this.emitIfNewer(message));
        touched.add(message.sessionId);
      } else {
        const event = eventOf(item.kind, item);
        if (event) emit.push(...this.once(event));
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
    case "edit": return `edit:${event.data.sessionId}:${event.data.msgId}:${event.data.seq ?? event.data.editedAt ?? ""}`;
    case "reaction": return `reaction:${event.data.sessionId}:${event.data.msgId}:${event.data.seq ?? ""}:${event.data.reaction}:${event.data.by}:${event.data.added}`;
    case "read": return `read:${event.data.sessionId}:${event.data.userId}:${event.data.seq}`;
    case "broadcast": return `broadcast:${event.data.msgId}`;
    default: return `${event.kind}:${JSON.stringify(event.data)}`;
  }
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");
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
  return withReplies({
    sessionId: str(item.sessionId), msgId: item.msgId, seq: item.seq ?? 0, from: str(item.from), type: str(item.type),
    body: item.body ?? null, priority: priorityOf(item.priority), sentAt: str(item.sentAt), retracted: item.retracted === true,
  }, item);
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
    case "edit": return { kind: "edit", data: { sessionId, msgId, seq: num(s.seq), body: s.body ?? null, editedAt: s.editedAt as string | undefined } };
    case "reaction": return {
      kind: "reaction",
      data: { sessionId, msgId, seq: num(s.seq), reaction: str(s.reaction), by: str(s.by), added: s.added !== false },
    };
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
