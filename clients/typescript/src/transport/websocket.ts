// One WebSocket to `GET /v1/connect`: opens it (with a timeout, since a black-holed port never
// errors), parses frames, and writes acks, pings and typing. It knows nothing of merging or
// reconnecting; the client owns those.

import type { ServerFrame } from "../types.js";

/** The part of the WHATWG WebSocket the SDK uses: browsers, Node 22+, and the `ws` package all have it. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;

export interface PushSocketHandlers {
  frame(frame: ServerFrame): void;
  closed(): void;
}

export class PushSocket {
  private closedOnce = false;
  private keepAlive: ReturnType<typeof setInterval> | undefined;

  private constructor(private readonly socket: WebSocketLike, private readonly handlers: PushSocketHandlers) {}

  /** Resolves once open; rejects when refused (a 403 upgrade, no listener) or not open within timeoutMs. */
  static open(ctor: WebSocketConstructor, url: string, timeoutMs: number, pingMs: number, handlers: PushSocketHandlers): Promise<PushSocket> {
    return new Promise((resolve, reject) => {
      const socket = new ctor(url);
      const push = new PushSocket(socket, handlers);
      let opened = false;
      const timer = setTimeout(() => {
        if (opened) return;
        socket.onclose = socket.onerror = null;
        try { socket.close(); } catch { /* never opened */ }
        reject(new Error(`WebSocket not open within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.onopen = () => {
        opened = true;
        clearTimeout(timer);
        // A ping now and then keeps idle proxies from closing the socket and shows a dead peer sooner.
        push.keepAlive = setInterval(() => push.write({ type: "ping" }), pingMs);
        resolve(push);
      };
      socket.onerror = () => {
        if (!opened) {
          clearTimeout(timer);
          reject(new Error("WebSocket refused"));
        }
      };
      socket.onclose = () => {
        clearTimeout(timer);
        if (!opened) reject(new Error("WebSocket closed before it opened"));
        else push.ended();
      };
      socket.onmessage = (event) => push.received(event.data);
    });
  }

  get isOpen(): boolean {
    return !this.closedOnce && this.socket.readyState === OPEN;
  }

  write(frame: Record<string, unknown>): boolean {
    if (!this.isOpen) return false;
    try {
      this.socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.closedOnce) return;
    try { this.socket.close(1000, "client closed"); } catch { /* already gone */ }
    this.ended();
  }

  private received(data: unknown): void {
    const text = typeof data === "string" ? data : data instanceof ArrayBuffer ? new TextDecoder().decode(data) : String(data);
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return; // not a frame of this protocol; the gateway sends only JSON
    }
    if (frame && typeof frame.type === "string") this.handlers.frame(frame);
  }

  private ended(): void {
    if (this.closedOnce) return;
    this.closedOnce = true;
    clearInterval(this.keepAlive);
    this.handlers.closed();
  }
}
