import { describe, expect, it } from "vitest";
import { Merge } from "../../src/merge.js";
import type { ChatEvent, ServerFrame, SyncItem } from "../../src/types.js";

const frame = (sessionId: string, seq: number): ServerFrame => ({
  type: "message", sessionId, msgId: `${sessionId}-${seq}`, seq, from: "alice", msgType: "text", body: { text: `m${seq}` },
  priority: "normal", sentAt: "2026-01-01T00:00:00Z",
});
const item = (sessionId: string, seq: number, kind = "message"): SyncItem => ({
  kind, sessionId, msgId: `${sessionId}-${seq}`, seq, from: "alice", type: "text", body: { text: `m${seq}` },
  priority: "normal", sentAt: "2026-01-01T00:00:00Z", retracted: false,
});
const seqs = (events: ChatEvent[]) => events.map((e) => (e.kind === "message" ? `${e.data.sessionId}:${e.data.seq}` : e.kind));

describe("merge", () => {
  it("emits sync pages in order and drops what was already emitted", () => {
    const merge = new Merge();
    expect(seqs(merge.page([item("a", 2), item("b", 3), item("a", 4)]))).toEqual(["a:2", "b:3", "a:4"]);
    expect(seqs(merge.page([item("a", 4), item("a", 5)]))).toEqual(["a:5"]);
  });

  it("emits a pushed frame one past the last seq at once, and drops its resend", () => {
    const merge = new Merge();
    merge.page([item("a", 2)]);
    const first = merge.frame(frame("a", 3), 0);
    expect(seqs(first.emit)).toEqual(["a:3"]);
    expect(first.sync).toBe(false);
    expect(merge.frame(frame("a", 3), 0)).toEqual({ emit: [], sync: false });
    expect(seqs(merge.page([item("a", 3)]))).toEqual([]);
  });

  it("holds a frame after a gap, asks for sync, and emits it after what sync fills in", () => {
    const merge = new Merge();
    merge.page([item("a", 2)]);
    const gap = merge.frame(frame("a", 5), 0);
    expect(gap).toEqual({ emit: [], sync: true });
    expect(merge.holding).toBe(true);
    expect(seqs(merge.frame(frame("a", 6), 0).emit)).toEqual([]); // still behind the gap
    // Sync has 3 and 4; 5 and 6 are held behind them and released in order.
    expect(seqs(merge.page([item("a", 3), item("a", 4)]))).toEqual(["a:3", "a:4", "a:5", "a:6"]);
    expect(merge.holding).toBe(false);
    expect(seqs(merge.page([item("a", 5), item("a", 6)]))).toEqual([]);
  });

  it("a gap that was a non-message position is closed by sync returning the held message itself", () => {
    const merge = new Merge();
    merge.page([item("a", 2)]);
    merge.frame(frame("a", 4), 0); // seq 3 was a retraction
    expect(seqs(merge.page([item("a", 4)]))).toEqual(["a:4"]);
    expect(merge.holding).toBe(false);
  });

  it("holds the first frame of a session it has never seen (the start is unknown)", () => {
    const merge = new Merge();
    expect(merge.frame(frame("new", 2), 0)).toEqual({ emit: [], sync: true });
    expect(seqs(merge.page([item("new", 2)]))).toEqual(["new:2"]);
  });

  it("keeps sessions apart: a gap in one does not hold another", () => {
    const merge = new Merge();
    merge.page([item("a", 2), item("b", 2)]);
    expect(merge.frame(frame("a", 9), 0).sync).toBe(true);
    expect(seqs(merge.frame(frame("b", 3), 0).emit)).toEqual(["b:3"]);
  });

  it("forgets held frames sync never confirmed once holdMs passed", () => {
    const merge = new Merge(undefined, { holdMs: 1000 });
    merge.frame(frame("a", 7), 0);
    merge.expire(500);
    expect(merge.holding).toBe(true);
    merge.expire(1500);
    expect(merge.holding).toBe(false);
  });

  it("emits a retraction once, pushed or pulled", () => {
    const merge = new Merge();
    const retract: ServerFrame = { type: "retract", sessionId: "a", msgId: "a-2" };
    expect(seqs(merge.frame(retract, 0).emit)).toEqual(["retract"]);
    expect(seqs(merge.page([item("a", 2, "retract")]))).toEqual([]);
    expect(seqs(merge.frame(retract, 0).emit)).toEqual([]);
  });

  it("dedupes broadcasts by msgId and bounds what it remembers", () => {
    const merge = new Merge(undefined, { seenLimit: 2 });
    const b = (id: string): ServerFrame => ({ type: "broadcast", msgId: id, msgType: "text", body: null });
    expect(merge.frame(b("1"), 0).emit).toHaveLength(1);
    expect(merge.frame(b("1"), 0).emit).toHaveLength(0);
    merge.frame(b("2"), 0);
    merge.frame(b("3"), 0);
    expect(merge.snapshot().seen).toEqual(["broadcast:2", "broadcast:3"]);
  });

  it("restores from its snapshot: what was emitted before a restart is not emitted again", () => {
    const first = new Merge();
    first.page([item("a", 2), item("a", 3)]);
    first.frame({ type: "retract", sessionId: "a", msgId: "a-2" }, 0);
    const second = new Merge(JSON.parse(JSON.stringify(first.snapshot())));
    expect(seqs(second.page([item("a", 3), item("a", 2, "retract"), item("a", 4)]))).toEqual(["a:4"]);
  });

  it("reads the frame's msgType and the item's type as the message type", () => {
    const merge = new Merge();
    const [pulled] = merge.page([item("a", 2)]);
    merge.page([]);
    const pushed = merge.frame(frame("a", 3), 0).emit[0];
    expect(pulled?.kind === "message" && pulled.data.type).toBe("text");
    expect(pushed?.kind === "message" && pushed.data.type).toBe("text");
  });

  it("emits rooms' frames without sync (rooms are never in sync), newer seqs only", () => {
    const merge = new Merge();
    merge.joinRoom("room");
    expect(seqs(merge.frame(frame("room", 10), 0).emit)).toEqual(["room:10"]);
    expect(seqs(merge.frame(frame("room", 9), 0).emit)).toEqual([]);
  });

  it("passes a sync frame on as a request to pull, and typing as it is", () => {
    const merge = new Merge();
    expect(merge.frame({ type: "sync" }, 0)).toEqual({ emit: [], sync: true });
    expect(merge.frame({ type: "typing", sessionId: "a", userId: "bob" }, 0).emit).toEqual([
      { kind: "typing", data: { sessionId: "a", userId: "bob" } },
    ]);
    expect(merge.frame({ type: "pong" }, 0)).toEqual({ emit: [], sync: false });
  });

  it("whatever mix of pushes, duplicates and sync pages, each message once and in order per session", () => {
    // A shuffled delivery: every seq pushed (some twice, some lost), sync in pages; a random but
    // seeded order so a failure replays.
    let state = 42;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const merge = new Merge();
      const all = [2, 3, 5, 6, 7, 9, 10, 11, 14, 15];
      const emitted: number[] = [];
      const take = (events: ChatEvent[]) => events.forEach((e) => e.kind === "message" && emitted.push(e.data.seq));
      let synced = 0;
      for (const seq of all) {
        if (random() < 0.8) take(merge.frame(frame("a", seq), 0).emit);
        if (random() < 0.3) take(merge.frame(frame("a", all[Math.floor(random() * all.length)]!), 0).emit);
        if (random() < 0.3) {
          const upto = Math.min(all.length, synced + 1 + Math.floor(random() * 3));
          take(merge.page(all.slice(synced, upto).map((s) => item("a", s))));
          synced = upto;
        }
      }
      take(merge.page(all.slice(synced).map((s) => item("a", s))));
      expect(emitted).toEqual(all);
    }
  });
});
