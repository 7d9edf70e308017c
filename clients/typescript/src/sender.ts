// Drains the send queue: one send at a time, oldest first, each retried with its own clientMsgId
// until the platform answers with a seq (durable) or refuses it for good. While the platform is
// unreachable the queue just waits, with backoff, and is woken when the link comes back.

import { backoffDelay, retryAfterMs, type BackoffOptions } from "./backoff.js";
import { isTransient, SendQueue, type QueuedSend } from "./queue.js";
import { ProblemError, type RestApi } from "./transport/http.js";
import type { OutgoingMessage, SendFailure, SendResult, SentReceipt } from "./types.js";

export interface SenderHooks {
  persist(queue: QueuedSend[]): Promise<void>;
  sent(receipt: SentReceipt): void;
  failed(failure: SendFailure): void;
}

interface Waiter { resolve(result: SendResult): void; reject(error: unknown): void }

export class Sender {
  private readonly waiters = new Map<string, Waiter>();
  private draining = false;
  private closed = false;
  private sleeper: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | undefined;

  constructor(
    private readonly queue: SendQueue,
    private readonly api: RestApi,
    private readonly backoff: BackoffOptions,
    private readonly hooks: SenderHooks,
    private readonly now: () => number = Date.now,
  ) {}

  get pending(): number {
    return this.queue.size;
  }

  /** Queues a send, stores the queue (so a reload still sends it), and resolves once it is durable. */
  async send(clientMsgId: string, sessionId: string, message: OutgoingMessage): Promise<SendResult> {
    const result = new Promise<SendResult>((resolve, reject) => this.waiters.set(clientMsgId, { resolve, reject }));
    this.queue.enqueue(clientMsgId, sessionId, message, this.now());
    await this.hooks.persist(this.queue.snapshot());
    void this.drain();
    return result;
  }

  /** The platform is reachable again: try the queue now rather than after the backoff. */
  wake(): void {
    this.queue.wake(this.now());
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve();
    }
    void this.drain();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let wait = this.queue.waitMs(this.now()); wait !== undefined && !this.closed; wait = this.queue.waitMs(this.now())) {
        if (wait > 0) {
          await new Promise<void>((resolve) => (this.sleeper = { timer: setTimeout(resolve, wait), resolve }));
          this.sleeper = undefined;
          continue;
        }
        await this.tryHead(this.queue.head()!);
      }
    } finally {
      this.draining = false;
    }
  }

  private async tryHead(entry: QueuedSend): Promise<void> {
    const { clientMsgId, sessionId } = entry;
    try {
      const result = await this.api.send(sessionId, clientMsgId, entry.message);
      this.queue.settle(clientMsgId, { outcome: "durable" }, this.now());
      await this.hooks.persist(this.queue.snapshot());
      this.hooks.sent({ clientMsgId, sessionId, msgId: result.msgId, seq: result.seq });
      this.settleWaiter(clientMsgId, (waiter) => waiter.resolve({ msgId: result.msgId, seq: result.seq }));
    } catch (error) {
      if (error instanceof ProblemError && !isTransient(error.status)) {
        this.queue.settle(clientMsgId, { outcome: "refused" }, this.now());
        await this.hooks.persist(this.queue.snapshot());
        this.hooks.failed({ clientMsgId, sessionId, status: error.status, title: error.title });
        this.settleWaiter(clientMsgId, (waiter) => waiter.reject(error));
        return;
      }
      // Unreachable, timed out, 5xx or 429: the send may or may not be stored; the same clientMsgId makes the retry safe.
      const asked = error instanceof ProblemError ? retryAfterMs(error.retryAfter, this.now()) : undefined;
      const delayMs = asked ?? backoffDelay(entry.attempts, this.backoff);
      this.queue.settle(clientMsgId, { outcome: "retry", delayMs }, this.now());
      await this.hooks.persist(this.queue.snapshot());
    }
  }

  private settleWaiter(clientMsgId: string, settle: (waiter: Waiter) => void): void {
    const waiter = this.waiters.get(clientMsgId);
    this.waiters.delete(clientMsgId);
    if (waiter) settle(waiter);
  }
}
