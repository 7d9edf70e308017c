import { describe, expect, it } from "vitest";
import { LocalStorageStore, MemoryStore } from "../../src/store.js";

describe("stores", () => {
  it("memory store keeps what is set", async () => {
    const store = new MemoryStore();
    expect(await store.get("k")).toBeNull();
    await store.set("k", "v");
    expect(await store.get("k")).toBe("v");
  });

  it("localStorage adapter prefixes its keys", async () => {
    const backing = new Map<string, string>();
    const store = new LocalStorageStore("mp:", { getItem: (k) => backing.get(k) ?? null, setItem: (k, v) => void backing.set(k, v) });
    await store.set("bob:state", "{}");
    expect([...backing.keys()]).toEqual(["mp:bob:state"]);
    expect(await store.get("bob:state")).toBe("{}");
  });
});
