// Sends wait here until the platform says they are durable. Each gets its clientMsgId once, when
// it is queued, so every retry (after a timeout, a reconnect, a node restart, a reload of the page)
// is the same send to the platform, which answers a repeat with the first answer and stores
// nothing new (API.md "Messages"). Pure: the client decides when to try and persists the snapshot.

import type { OutgoingMessage } from "./types.js";

export interface QueuedSend {
  clientMsgId: string;
  sessionId: string;
  message: OutgoingMessage;
  queuedAt: number;
  attempts: number;
  /** Not to be tried before this time (ms): backoff or the platform's Retry-After. */
  notBefore: number;
}

/** What became of one try: stored, refused for good (a 4xx that retrying cannot change), or to try again. */
export type SendAttempt =
  | { outcome: "durable" }
  | { outcome: "refused" }
  | { outcome: "retry"; delayMs: number };

/** Statuses worth retrying: the platform could not take the send now, not "never". */
export function isTransient(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export class SendQueue {
  private readonly entries: QueuedSend[];

  constructor(snapshot: QueuedSend[] = []) {
    this.entries = snapshot.map((entry) => ({ ...entry }));
  }

  get size(): number {
    return this.entries.length;
  }

  snapshot(): QueuedSend[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  enqueue(clientMsgId: string, sessionId: string, message: OutgoingMessage, now: number): QueuedSend {
    const existing = this.entries.find((entry) => entry.clientMsgId === clientMsgId);
    if (existing) return existing;
    const entry = { clientMsgId, sessionId, message, queuedAt: now, attempts: 0, notBefore: now };
    this.entries.push(entry);
    return entry;
  }

  /**
   * The send to try next, first in, first out over all sessions: a later send never overtakes an
   * earlier one, so the user's messages are stored in the order they were written.
   */
  head(): QueuedSend | undefined {
    return this.entries[0];
  }

  /** How long until the head may be tried (0: now); undefined when the queue is empty. */
  waitMs(now: number): number | undefined {
    const head = this.entries[0];
    return head === undefined ? undefined : Math.max(0, head.notBefore - now);
  }

  /** Records a try's outcome; durable and refused sends leave the queue. */
  settle(clientMsgId: string, attempt: SendAttempt, now: number): void {
    const index = this.entries.findIndex((entry) => entry.clientMsgId === clientMsgId);
    if (index < 0) return;
    if (attempt.outcome === "retry") {
      const entry = this.entries[index]!;
      entry.attempts += 1;
      entry.notBefore = now + attempt.delayMs;
    } else {
      this.entries.splice(index, 1);
    }
  }

  /** A reconnect: the platform is back, so waiting out a backoff meant for a down server is pointless. */
  wake(now: number): void {
    for (const entry of this.entries) entry.notBefore = Math.min(entry.notBefore, now);
  }
}
