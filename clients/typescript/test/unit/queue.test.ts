import { describe, expect, it } from "vitest";
import { isTransient, SendQueue } from "../../src/queue.js";

const text = (t: string) => ({ type: "text" as const, body: { text: t } });

describe("send queue", () => {
  it("keeps sends first in, first out, over sessions", () => {
    const queue = new SendQueue();
    queue.enqueue("c1", "a", text("1"), 0);
    queue.enqueue("c2", "b", text("2"), 0);
    expect(queue.head()?.clientMsgId).toBe("c1");
    queue.settle("c1", { outcome: "durable" }, 0);
    expect(queue.head()?.clientMsgId).toBe("c2");
  });

  it("queues a clientMsgId once", () => {
    const queue = new SendQueue();
    queue.enqueue("c1", "a", text("1"), 0);
    queue.enqueue("c1", "a", text("1"), 5);
    expect(queue.size).toBe(1);
  });

  it("a retry keeps the clientMsgId and waits its delay; wake ends the wait", () => {
    const queue = new SendQueue();
    queue.enqueue("c1", "a", text("1"), 0);
    queue.settle("c1", { outcome: "retry", delayMs: 1000 }, 100);
    expect(queue.head()).toMatchObject({ clientMsgId: "c1", attempts: 1 });
    expect(queue.waitMs(600)).toBe(500);
    queue.wake(700);
    expect(queue.waitMs(700)).toBe(0);
  });

  it("a refused send leaves the queue", () => {
    const queue = new SendQueue();
    queue.enqueue("c1", "a", text("1"), 0);
    queue.settle("c1", { outcome: "refused" }, 0);
    expect(queue.size).toBe(0);
    expect(queue.waitMs(0)).toBeUndefined();
  });

  it("round-trips through its snapshot (the store), retries counted", () => {
    const queue = new SendQueue();
    queue.enqueue("c1", "a", text("1"), 0);
    queue.settle("c1", { outcome: "retry", delayMs: 10 }, 0);
    const restored = new SendQueue(JSON.parse(JSON.stringify(queue.snapshot())));
    expect(restored.head()).toEqual(queue.head());
  });

  it("retries only what may succeed later", () => {
    expect([400, 403, 404, 409, 413, 422].map(isTransient)).toEqual([false, false, false, false, false, false]);
    expect([408, 429, 500, 502, 503].map(isTransient)).toEqual([true, true, true, true, true]);
  });
});
