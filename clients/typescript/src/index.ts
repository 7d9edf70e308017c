export { MessagePlatformClient, type ClientOptions } from "./client.js";
export { MemoryStore, LocalStorageStore, type ClientStore, type WebStorageLike } from "./store.js";
export { ProblemError } from "./transport/http.js";
export type { WebSocketConstructor, WebSocketLike } from "./transport/websocket.js";
export { Merge, type MergeSnapshot } from "./merge.js";
export { SendQueue, type QueuedSend } from "./queue.js";
export { Backoff, backoffDelay } from "./backoff.js";
export type * from "./types.js";
