// Reactions and pins are switches (a user's 👍 on a message is on or off; a message is pinned or
// not) that can be flipped back and forth, and neither their frames nor their sync items carry a
// position of their own: "bob added 👍 to m1" twice may be one event seen twice (pushed, then
// pulled) or two events with a removal between. So the ledger keeps, per switch, its state and
// the flips each side delivered ahead of the other: a sync item that a frame already delivered
// is its echo and is dropped, and so is a frame whose flip sync already delivered. Flips of a
// switch alternate, so a frame flipping it to the state it is already in (or switching off one
// never seen on) is a resent frame or a sign of frames lost between: it is dropped and the client
// pulls sync, which brings whatever was missed in order. (Without positions one case stays open:
// a frame repeated after sync ran two flips past it reads as new; the gateway repeats only unacked
// frames, and the client acks each at once.)
// Pure: the merge feeds it, `now` dates what it waits for.

export interface ToggleSnapshot {
  /** The last known state per switch. */
  on: Record<string, boolean>;
  /** Flips applied from frames whose sync items have not come yet, per `switch|state`. */
  framesAhead: Record<string, number>;
}

export class Toggles {
  private readonly on = new Map<string, boolean>();
  private readonly framesAhead = new Map<string, number>();
  /** Flips applied from sync whose frames may still be on their way; forgotten after waitMs or a new socket. */
  private readonly syncAhead = new Map<string, number[]>();

  constructor(snapshot: ToggleSnapshot | undefined, private readonly limit = 5000, private readonly waitMs = 30_000) {
    for (const [id, on] of Object.entries(snapshot?.on ?? {})) this.on.set(id, on);
    for (const [key, count] of Object.entries(snapshot?.framesAhead ?? {})) this.framesAhead.set(key, count);
  }

  snapshot(): ToggleSnapshot {
    return { on: Object.fromEntries(this.on), framesAhead: Object.fromEntries(this.framesAhead) };
  }

  /**
   * A pushed flip: `emit` when it is news, `drop` when sync delivered it already, `sync` when it
   * does not follow from the state (pull to learn what was missed). `echoed` is false for rooms,
   * whose flips never come by sync, so nothing waits for an echo.
   */
  fromFrame(id: string, on: boolean, now: number, echoed = true): "emit" | "drop" | "sync" {
    const key = `${id}|${on}`;
    this.expire(now);
    const pulled = this.syncAhead.get(key);
    if (pulled?.length) {
      pulled.shift(); // sync delivered this flip already; the frame is late
      if (pulled.length === 0) this.syncAhead.delete(key);
      return "drop";
    }
    if ((this.on.get(id) ?? false) === on) return echoed ? "sync" : "drop";
    this.set(id, on);
    if (echoed) this.framesAhead.set(key, (this.framesAhead.get(key) ?? 0) + 1);
    this.bound(this.framesAhead);
    return "emit";
  }

  /** A pulled flip, in the session's order: true when it is news. */
  fromSync(id: string, on: boolean, now: number): boolean {
    const key = `${id}|${on}`;
    const pushed = this.framesAhead.get(key) ?? 0;
    if (pushed > 0) {
      if (pushed === 1) this.framesAhead.delete(key);
      else this.framesAhead.set(key, pushed - 1);
      return false;
    }
    if (this.on.get(id) === on) return false;
    this.set(id, on);
    const pulled = this.syncAhead.get(key) ?? [];
    pulled.push(now);
    this.syncAhead.set(key, pulled);
    return true;
  }

  /** A new socket: frames of the old one that never came will not come now. */
  socketOpened(): void {
    this.syncAhead.clear();
  }

  private set(id: string, on: boolean): void {
    this.on.delete(id); // re-inserted last: the oldest switch is the first forgotten
    this.on.set(id, on);
    this.bound(this.on);
  }

  private bound(map: Map<string, unknown>): void {
    while (map.size > this.limit) map.delete(map.keys().next().value as string);
  }

  private expire(now: number): void {
    for (const [key, times] of this.syncAhead) {
      while (times.length > 0 && now - times[0]! > this.waitMs) times.shift();
      if (times.length === 0) this.syncAhead.delete(key);
    }
  }
}
