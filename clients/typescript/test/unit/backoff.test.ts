import { describe, expect, it } from "vitest";
import { Backoff, backoffDelay, retryAfterMs } from "../../src/backoff.js";

describe("backoff", () => {
  it("doubles up to the ceiling, with jitter between half and all of the step", () => {
    const low = { baseMs: 100, maxMs: 1000, random: () => 0 };
    const high = { baseMs: 100, maxMs: 1000, random: () => 0.999999 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, low))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, high))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("never waits zero and never overflows on a long outage", () => {
    expect(backoffDelay(0, { baseMs: 1, maxMs: 10, random: () => 0 })).toBeGreaterThan(0);
    expect(backoffDelay(5000, { baseMs: 250, maxMs: 10_000, random: () => 0.5 })).toBe(7500);
  });

  it("counts failures and resets on success", () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    expect([backoff.next(), backoff.next(), backoff.failures]).toEqual([50, 100, 2]);
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });

  it("reads Retry-After in seconds or as a date", () => {
    expect(retryAfterMs("2", 0)).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(null, 0)).toBeUndefined();
    expect(retryAfterMs("soon", 0)).toBeUndefined();
  });
});
