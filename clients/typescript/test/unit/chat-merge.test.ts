import { describe, expect, it } from "vitest";
import { Merge } from "../../src/merge.js";
import type { ChatEvent, ServerFrame, SyncItem } from "../../src/types.js";

const edit = (editedAt: string, text: string) => ({ sessionId: "a", msgId: "m1", seq: 2, body: { text }, editedAt, by: "alice" });
const reaction = (by: string, added: boolean, r = "👍") => ({ sessionId: "a", msgId: "m1", seq: 2, reaction: r, by, added });
/** A merge that has emitted message m1 (seq 2) of session a, so changes of it are not ahead of it. */
function primed(): Merge {
  const merge = new Merge();
  merge.page([{ kind: "message", sessionId: "a", msgId: "m1", seq: 2, from: "alice", type: "text", body: {} }], 0);
  return merge;
}
const frameOf = (type: string, data: object): ServerFrame => ({ type, ...data });
const itemOf = (kind: string, data: object): SyncItem => ({ kind, ...data } as SyncItem);
const kinds = (events: ChatEvent[]) => events.map((e) => {
  switch (e.kind) {
    case "edit": return `edit:${(e.data.body as { text: string }).text}`;
    case "reaction": return "counts" in e.data ? `counts:${JSON.stringify(e.data.counts)}` : `${e.data.by}${e.data.added ? "+" : "-"}${e.data.reaction}`;
    case "read": return `read:${e.data.userId}@${e.data.seq}`;
    default: return e.kind;
  }
});

describe("merge of everyday chat events", () => {
  it("an edit or reaction pushed before its message was emitted waits for sync, which brings both in order", () => {
    const merge = new Merge();
    merge.page([{ kind: "message", sessionId: "a", msgId: "m0", seq: 1, from: "alice", type: "text", body: {} }], 0);
    expect(merge.frame({ type: "message", sessionId: "a", msgId: "m1", seq: 2, from: "alice", msgType: "text", body: {} }, 0).emit).toHaveLength(1);
    expect(merge.frame(frameOf("reaction", { ...reaction("bob", true), msgId: "m5", seq: 5 }), 0)).toEqual({ emit: [], sync: true });
    expect(merge.frame(frameOf("edit", { ...edit("2026-01-01T00:00:01Z", "v2"), msgId: "m5", seq: 5 }), 0)).toEqual({ emit: [], sync: true });
    const pulled = merge.page([
      { kind: "message", sessionId: "a", msgId: "m5", seq: 5, from: "alice", type: "text", body: {} },
      itemOf("reaction", { ...reaction("bob", true), msgId: "m5", seq: 5 }),
      itemOf("edit", { ...edit("2026-01-01T00:00:01Z", "v2"), msgId: "m5", seq: 5 }),
    ], 0);
    expect(pulled.map((e) => e.kind)).toEqual(["message", "reaction", "edit"]);
  });

  it("an edit pushed and then pulled is emitted once; a second edit of the same message is not a duplicate", () => {
    const merge = primed();
    expect(kinds(merge.frame(frameOf("edit", edit("2026-01-01T00:00:01Z", "v2")), 0).emit)).toEqual(["edit:v2"]);
    expect(kinds(merge.page([itemOf("edit", edit("2026-01-01T00:00:01Z", "v2"))], 0))).toEqual([]);
    expect(kinds(merge.page([itemOf("edit", edit("2026-01-01T00:00:05Z", "v3"))], 0))).toEqual(["edit:v3"]);
    expect(kinds(merge.frame(frameOf("edit", edit("2026-01-01T00:00:05Z", "v3")), 0).emit)).toEqual([]);
  });

  it("a reaction added, removed and added again by frames is emitted three times, and sync's echo of all three never", () => {
    const merge = primed();
    const flips = [reaction("bob", true), reaction("bob", false), reaction("bob", true)];
    expect(flips.flatMap((f) => kinds(merge.frame(frameOf("reaction", f), 0).emit))).toEqual(["bob+👍", "bob-👍", "bob+👍"]);
    expect(kinds(merge.page(flips.map((f) => itemOf("reaction", f)), 0))).toEqual([]);
    // Now a genuinely new removal, pulled only.
    expect(kinds(merge.page([itemOf("reaction", reaction("bob", false))], 0))).toEqual(["bob-👍"]);
  });

  it("a reaction pulled before its frame arrives is emitted once: the late frame is dropped", () => {
    const merge = primed();
    expect(kinds(merge.page([itemOf("reaction", reaction("bob", true)), itemOf("reaction", reaction("bob", false))], 0)))
      .toEqual(["bob+👍", "bob-👍"]);
    expect(kinds(merge.frame(frameOf("reaction", reaction("bob", true)), 10).emit)).toEqual([]);
    expect(kinds(merge.frame(frameOf("reaction", reaction("bob", false)), 10).emit)).toEqual([]);
    expect(kinds(merge.frame(frameOf("reaction", reaction("bob", true)), 20).emit)).toEqual(["bob+👍"]);
  });

  it("a resent reaction frame changes nothing; other users' and other reactions are apart", () => {
    const merge = primed();
    const events = [
      reaction("bob", true), reaction("bob", true), reaction("carol", true), reaction("bob", true, "❤️"),
    ].flatMap((f) => kinds(merge.frame(frameOf("reaction", f), 0).emit));
    expect(events).toEqual(["bob+👍", "carol+👍", "bob+❤️"]);
  });

  it("after a new socket, a frame sync already delivered is still dropped by its state, and a later flip is not", () => {
    const merge = primed();
    merge.page([itemOf("reaction", reaction("bob", true))], 0);
    merge.socketOpened();
    expect(kinds(merge.frame(frameOf("reaction", reaction("bob", true)), 0).emit)).toEqual([]);
    expect(kinds(merge.frame(frameOf("reaction", reaction("bob", false)), 0).emit)).toEqual(["bob-👍"]);
  });

  it("a room's reaction totals are emitted as they come (no by, no added)", () => {
    const merge = primed();
    merge.joinRoom("room");
    const counts = { type: "reaction", sessionId: "room", msgId: "m9", seq: 9, counts: { "👍": 3 } };
    const [event] = merge.frame(counts, 0).emit;
    expect(event).toEqual({ kind: "reaction", data: { sessionId: "room", msgId: "m9", seq: 9, counts: { "👍": 3 } } });
    expect(kinds(merge.frame({ ...counts, counts: { "👍": 4 } }, 0).emit)).toEqual(['counts:{"👍":4}']);
  });

  it("pins and unpins: each once, pushed or pulled, pinned again after an unpin", () => {
    const merge = primed();
    const pin = { sessionId: "a", msgId: "m1", by: "alice" };
    expect(merge.frame(frameOf("pin", { ...pin, pinnedAt: "2026-01-01T00:00:00Z" }), 0).emit)
      .toEqual([{ kind: "pin", data: { ...pin, at: "2026-01-01T00:00:00Z" } }]);
    expect(merge.frame(frameOf("unpin", pin), 0).emit).toHaveLength(1);
    expect(merge.page([itemOf("pin", { ...pin, at: "2026-01-01T00:00:00Z" }), itemOf("unpin", { ...pin, at: "x" })], 0)).toEqual([]);
    expect(merge.page([itemOf("pin", { ...pin, at: "2026-01-01T00:01:00Z" })], 0).map((e) => e.kind)).toEqual(["pin"]);
  });

  it("read marks only move up: a repeat or an older mark is not emitted", () => {
    const merge = primed();
    const read = (userId: string, seq: number) => ({ sessionId: "a", userId, seq });
    expect(kinds(merge.frame(frameOf("read", read("bob", 5)), 0).emit)).toEqual(["read:bob@5"]);
    expect(kinds(merge.page([itemOf("read", read("bob", 3)), itemOf("read", read("bob", 5)), itemOf("read", read("carol", 5))], 0)))
      .toEqual(["read:carol@5"]);
    expect(kinds(merge.frame(frameOf("read", read("bob", 7)), 0).emit)).toEqual(["read:bob@7"]);
  });

  it("typing is passed on every time and never remembered", () => {
    const merge = primed();
    const typing = { type: "typing", sessionId: "a", userId: "bob" };
    expect(merge.frame(typing, 0).emit).toHaveLength(1);
    expect(merge.frame(typing, 0).emit).toHaveLength(1);
    expect(JSON.stringify(merge.snapshot())).not.toContain("typing");
  });

  it("messages keep replyTo, mentions and edited from frames and sync items", () => {
    const merge = new Merge();
    const [pulled] = merge.page([{
      kind: "message", sessionId: "a", msgId: "m2", seq: 2, from: "bob", type: "text", body: { text: "v2" },
      replyTo: "m1", mentions: ["alice"], edited: true, editedAt: "2026-01-01T00:00:01Z",
    }], 0);
    expect(pulled).toMatchObject({ kind: "message", data: { replyTo: "m1", mentions: ["alice"], edited: true, editedAt: "2026-01-01T00:00:01Z" } });
    const pushed = merge.frame({ type: "message", sessionId: "a", msgId: "m3", seq: 3, from: "bob", msgType: "text", body: {}, mentions: ["@all"] }, 0);
    expect(pushed.emit[0]).toMatchObject({ data: { mentions: ["@all"] } });
  });

  it("restores reactions, pins and read marks from its snapshot: nothing emitted twice after a restart", () => {
    const first = primed();
    first.frame(frameOf("reaction", reaction("bob", true)), 0);
    first.frame(frameOf("read", { sessionId: "a", userId: "bob", seq: 4 }), 0);
    first.frame(frameOf("pin", { sessionId: "a", msgId: "m1", by: "bob" }), 0);
    const second = new Merge(JSON.parse(JSON.stringify(first.snapshot())));
    expect(second.page([
      itemOf("reaction", reaction("bob", true)), itemOf("read", { sessionId: "a", userId: "bob", seq: 4 }),
      itemOf("pin", { sessionId: "a", msgId: "m1", by: "bob" }),
    ], 0)).toEqual([]);
  });

  it("whatever mix of pushed, lost, resent and pulled flips, the app sees each flip once and ends where sync ends", () => {
    let state = 7;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 300; round++) {
      const merge = primed();
      // A history of flips of one switch as the platform committed them (each a real change).
      const flips = Array.from({ length: 8 }, (_, i) => reaction("bob", i % 2 === 0));
      const emitted: boolean[] = [];
      const take = (events: ChatEvent[]) => events.forEach((e) => e.kind === "reaction" && !("counts" in e.data) && emitted.push(e.data.added));
      let synced = 0;
      for (let i = 0; i < flips.length; i++) {
        // Frames come in order (one socket) and may be lost, or resent before their ack while sync has
        // not run past them (the gateway repeats only unacked frames; the client acks each at once);
        // sync pages come in order, any time, also ahead of frames still in flight.
        if (random() < 0.75) take(merge.frame(frameOf("reaction", flips[i]!), i).emit);
        if (random() < 0.2 && synced <= i) take(merge.frame(frameOf("reaction", flips[i]!), i).emit);
        if (random() < 0.3) {
          // Sync may run ahead of the frames still in flight.
          const upto = Math.min(flips.length, synced + 1 + Math.floor(random() * 3));
          take(merge.page(flips.slice(synced, upto).map((f) => itemOf("reaction", f)), i));
          synced = Math.max(synced, upto);
        }
      }
      take(merge.page(flips.slice(synced).map((f) => itemOf("reaction", f)), flips.length));
      expect(emitted).toEqual(flips.map((f) => f.added));
    }
  });
});
