// A typed event emitter: the client's `on`/`off`. A handler that throws must not stop the
// others or the client's loops, so its error is reported as an `error` event instead.

import type { ClientEvents } from "./types.js";

export type Handler<K extends keyof ClientEvents> = (data: ClientEvents[K]) => void;

export class Emitter {
  private readonly handlers = new Map<keyof ClientEvents, Set<(data: never) => void>>();

  on<K extends keyof ClientEvents>(kind: K, handler: Handler<K>): () => void {
    let set = this.handlers.get(kind);
    if (!set) this.handlers.set(kind, (set = new Set()));
    set.add(handler as (data: never) => void);
    return () => this.off(kind, handler);
  }

  off<K extends keyof ClientEvents>(kind: K, handler: Handler<K>): void {
    this.handlers.get(kind)?.delete(handler as (data: never) => void);
  }

  emit<K extends keyof ClientEvents>(kind: K, data: ClientEvents[K]): void {
    for (const handler of this.handlers.get(kind) ?? []) {
      try {
        (handler as Handler<K>)(data);
      } catch (error) {
        if (kind !== "error") this.emit("error", error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
