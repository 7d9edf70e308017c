// The push/pull switch: keeps one WebSocket open when it can; when it cannot (refused upgrades,
// a proxy that drops them, a node down) it polls sync instead and keeps trying to upgrade back
// to push, with backoff and jitter. It says which of the four states the client is in; what a
// frame means and what a sync does are the client's business.

import { Backoff } from "./backoff.js";
import { PushSocket, type WebSocketConstructor } from "./transport/websocket.js";
import type { ConnectionState, ServerFrame } from "./types.js";

export interface LinkOptions {
  url: () => string;
  WebSocket: WebSocketConstructor;
  backoff: Backoff;
  /** Failed opens in a row before polling starts (the first reconnect after a drop is usually quick); 0 polls only. */
  fallbackAfter: number;
  pollIntervalMs: number;
  openTimeoutMs: number;
  pingMs: number;
}

export interface LinkHooks {
  frame(frame: ServerFrame): void;
  /** The socket opened: what was pushed while it was down is only in sync, so catch up now. */
  opened(): void;
  /** Pull sync once; false when the platform could not be reached. */
  poll(): Promise<boolean>;
  state(state: ConnectionState): void;
}

export class Link {
  private socket: PushSocket | undefined;
  private stopped = false;
  private polling: ReturnType<typeof setTimeout> | undefined;
  private sleeper: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | undefined;
  private current: ConnectionState | undefined;

  constructor(private readonly options: LinkOptions, private readonly hooks: LinkHooks) {}

  get state(): ConnectionState | undefined {
    return this.current;
  }

  start(): void {
    this.setState("connecting");
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.stopPolling();
    this.wake();
    this.socket?.close();
  }

  write(frame: Record<string, unknown>): boolean {
    return this.socket?.write(frame) ?? false;
  }

  /** Drops the socket, as a network would (tests, and a token refresh that needs a new handshake). */
  reconnect(): void {
    this.socket?.close();
  }

  private async run(): Promise<void> {
    if (this.options.fallbackAfter === 0) return this.startPolling(); // transport "poll": never push
    while (!this.stopped) {
      let closed!: Promise<void>;
      try {
        ({ closed } = await this.open());
      } catch {
        if (this.stopped) return;
        if (this.options.backoff.failures + 1 >= this.options.fallbackAfter) this.startPolling();
        else this.setState("connecting");
        await this.sleep(this.options.backoff.next());
        continue;
      }
      this.options.backoff.reset();
      this.stopPolling();
      this.setState("live");
      this.hooks.opened();
      await closed;
      this.socket = undefined;
      if (this.stopped) return;
      this.setState("connecting");
      await this.sleep(this.options.backoff.next());
    }
  }

  /** Opens the socket; resolves with a promise of its closing. */
  private async open(): Promise<{ closed: Promise<void> }> {
    let ended!: () => void;
    const closed = new Promise<void>((resolve) => (ended = resolve));
    this.socket = await PushSocket.open(this.options.WebSocket, this.options.url(), this.options.openTimeoutMs,
      this.options.pingMs, { frame: (frame) => this.hooks.frame(frame), closed: () => ended() });
    if (this.stopped) this.socket.close();
    return { closed };
  }

  private startPolling(): void {
    if (this.polling !== undefined) return;
    const tick = async () => {
      const reached = await this.hooks.poll();
      if (this.polling === undefined || this.stopped) return;
      this.setState(reached ? "polling" : "offline");
      this.polling = setTimeout(tick, this.options.pollIntervalMs);
    };
    this.polling = setTimeout(tick, 0);
  }

  private stopPolling(): void {
    clearTimeout(this.polling);
    this.polling = undefined;
  }

  private setState(state: ConnectionState): void {
    if (this.stopped || state === this.current) return;
    this.current = state;
    this.hooks.state(state);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleeper = { timer: setTimeout(resolve, ms), resolve };
    });
  }

  private wake(): void {
    if (!this.sleeper) return;
    clearTimeout(this.sleeper.timer);
    this.sleeper.resolve();
  }
}
