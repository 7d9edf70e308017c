import { describe, expect, it } from "vitest";
import { Timeline } from "../../src/timeline.js";
import type { ChatEvent, ChatMessage, HistoryMessage } from "../../src/types.js";

const message = (msgId: string, seq: number, from = "alice"): ChatMessage => ({
  sessionId: "s", msgId, seq, from, type: "text", body: { text: msgId }, priority: "normal", sentAt: "2026-01-01T00:00:00Z", retracted: false,
});
const react = (by: string, added: boolean, reaction = "👍"): ChatEvent => ({ kind: "reaction", data: { sessionId: "s", msgId: "m1", reaction, by, added } });

describe("timeline: a message's state from history and events", () => {
  it("keeps the latest body of an edit, and an older edit pulled late does not undo a newer one", () => {
    const timeline = new Timeline("bob");
    timeline.apply({ kind: "message", data: message("m1", 2) });
    timeline.apply({ kind: "edit", data: { sessionId: "s", msgId: "m1", body: { text: "v3" }, editedAt: "2026-01-01T00:00:09Z" } });
    timeline.apply({ kind: "edit", data: { sessionId: "s", msgId: "m1", body: { text: "v2" }, editedAt: "2026-01-01T00:00:05Z" } });
    expect(timeline.get("s", "m1")).toMatchObject({ body: { text: "v3" }, edited: true, editedAt: "2026-01-01T00:00:09Z" });
  });

  it("counts reactions with `me`, and a repeated add or a remove of no reaction changes nothing", () => {
    const timeline = new Timeline("bob");
    timeline.apply({ kind: "message", data: message("m1", 2) });
    for (const event of [react("bob", true), react("carol", true), react("carol", true), react("dave", false), react("alice", true, "❤️")]) timeline.apply(event);
    expect(timeline.get("s", "m1")!.reactions).toEqual({ "👍": { count: 2, me: true }, "❤️": { count: 1, me: false } });
    timeline.apply(react("bob", false));
    timeline.apply(react("alice", false, "❤️"));
    expect(timeline.get("s", "m1")!.reactions).toEqual({ "👍": { count: 1, me: false } });
  });

  it("starts from history's totals: its unnamed reactors can leave, the user's own add is not counted twice", () => {
    const timeline = new Timeline("bob");
    const page: HistoryMessage = { ...message("m1", 2), reactions: { "👍": { count: 3, me: true } } };
    timeline.load("s", [page]);
    timeline.apply(react("bob", true)); // already counted: history said me
    expect(timeline.get("s", "m1")!.reactions["👍"]).toEqual({ count: 3, me: true });
    timeline.apply(react("carol", false)); // one of the two unnamed
    timeline.apply(react("bob", false));
    timeline.apply(react("bob", false)); // the app applied its own removal, then the event came
    expect(timeline.get("s", "m1")!.reactions["👍"]).toEqual({ count: 1, me: false });
  });

  it("takes a room's totals as they are", () => {
    const timeline = new Timeline("bob");
    timeline.apply({ kind: "message", data: message("m1", 2) });
    timeline.apply({ kind: "reaction", data: { sessionId: "s", msgId: "m1", counts: { "👍": 5, "😂": 1 } } });
    timeline.apply({ kind: "reaction", data: { sessionId: "s", msgId: "m1", counts: { "😂": 0 } } });
    expect(timeline.get("s", "m1")!.reactions).toEqual({ "👍": { count: 5, me: false } });
    // A big group has both: pushed totals, and single changes by sync; the totals already count them.
    timeline.apply({ kind: "reaction", data: { sessionId: "s", msgId: "m1", reaction: "👍", by: "bob", added: true } });
    timeline.apply({ kind: "reaction", data: { sessionId: "s", msgId: "m1", reaction: "👍", by: "carol", added: true } });
    expect(timeline.get("s", "m1")!.reactions).toEqual({ "👍": { count: 5, me: true } });
  });

  it("retractions, pins, replies and mentions", () => {
    const timeline = new Timeline("bob");
    timeline.apply({ kind: "message", data: message("m1", 2) });
    timeline.apply({ kind: "message", data: { ...message("m2", 3, "bob"), replyTo: "m1", mentions: ["alice"] } });
    timeline.apply({ kind: "pin", data: { sessionId: "s", msgId: "m1", by: "bob" } });
    timeline.apply({ kind: "retract", data: { sessionId: "s", msgId: "m2" } });
    timeline.apply({ kind: "edit", data: { sessionId: "s", msgId: "m2", body: { text: "too late" }, editedAt: "2026-01-01T00:00:09Z" } });
    expect(timeline.list("s").map((m) => [m.msgId, m.pinned, m.retracted, m.body, m.replyTo])).toEqual([
      ["m1", true, false, { text: "m1" }, undefined], ["m2", false, true, null, "m1"],
    ]);
    timeline.apply({ kind: "unpin", data: { sessionId: "s", msgId: "m1", by: "bob" } });
    expect(timeline.get("s", "m1")!.pinned).toBe(false);
    expect(timeline.get("s", "m2")!.mentions).toEqual(["alice"]);
  });

  it("read marks: who has read a message, never counting its sender, never moving back", () => {
    const timeline = new Timeline("alice");
    timeline.apply({ kind: "message", data: message("m1", 2) });
    timeline.apply({ kind: "message", data: message("m2", 5) });
    timeline.loadReceipts("s", [{ userId: "alice", readSeq: 5 }, { userId: "bob", readSeq: 2 }]);
    timeline.apply({ kind: "read", data: { sessionId: "s", userId: "carol", seq: 5 } });
    timeline.apply({ kind: "read", data: { sessionId: "s", userId: "carol", seq: 3 } });
    expect(timeline.readBy("s", "m1").sort()).toEqual(["bob", "carol"]);
    expect(timeline.readBy("s", "m2")).toEqual(["carol"]);
  });

  it("a change that overtook its message is applied when the message arrives, not on top of a history page", () => {
    const timeline = new Timeline("bob");
    timeline.apply(react("carol", true));
    timeline.apply({ kind: "pin", data: { sessionId: "s", msgId: "m1", by: "carol" } });
    expect(timeline.get("s", "m1")).toBeUndefined();
    timeline.apply({ kind: "message", data: message("m1", 2) });
    expect(timeline.get("s", "m1")).toMatchObject({ pinned: true, reactions: { "👍": { count: 1, me: false } } });
    timeline.apply({ kind: "reaction", data: { sessionId: "s", msgId: "m7", reaction: "👍", by: "carol", added: true } });
    timeline.load("s", [{ ...message("m7", 9), reactions: { "👍": { count: 1 } } }]);
    timeline.apply({ kind: "message", data: message("m7", 9) });
    expect(timeline.get("s", "m7")!.reactions["👍"]!.count).toBe(1);
  });
});
