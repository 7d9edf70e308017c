// The REST calls the SDK makes, as the user (its token as bearer). A refusal becomes a
// ProblemError with the platform's RFC 9457 problem; a network failure stays a TypeError from
// fetch, which the callers read as "unreachable".

import type {
  Conversation, ConversationSettings, HistoryPage, MessageReceipts, OutgoingMessage, PinnedMessage, SendResult, SessionReceipts, SyncPage,
} from "../types.js";

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly retryAfter?: string | null,
    readonly errors?: Record<string, string[]>,
  ) {
    super(detail ? `${status} ${title}: ${detail}` : `${status} ${title}`);
    this.name = "ProblemError";
  }
}

export type Fetch = typeof fetch;

export class RestApi {
  constructor(
    private readonly baseUrl: string,
    private readonly userId: string,
    private readonly token: () => string,
    private readonly fetchImpl: Fetch,
    private readonly timeoutMs: number,
  ) {}

  private user(path = ""): string {
    return `/v1/users/${encodeURIComponent(this.userId)}${path}`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token()}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await this.fetchImpl(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // A node that accepted the connection and then died would otherwise hold the call forever.
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    if (!response.ok) {
      throw new ProblemError(response.status, String(json?.title ?? response.statusText), json?.detail as string | undefined,
        response.headers.get("retry-after"), json?.errors as Record<string, string[]> | undefined);
    }
    return json as T;
  }

  sync(cursor: string | undefined, limit: number): Promise<SyncPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set("cursor", cursor);
    return this.call("GET", `${this.user("/sync")}?${query}`);
  }

  send(sessionId: string, clientMsgId: string, message: OutgoingMessage): Promise<SendResult> {
    return this.call("POST", `/v1/sessions/${encodeURIComponent(sessionId)}/messages`, { clientMsgId, ...message });
  }

  retract(sessionId: string, msgId: string, reason?: string): Promise<unknown> {
    return this.call("POST", `${messagePath(sessionId, msgId)}/retract`, reason === undefined ? {} : { reason });
  }

  edit(sessionId: string, msgId: string, body: unknown): Promise<{ msgId: string; seq: number; editedAt: string }> {
    return this.call("POST", `${messagePath(sessionId, msgId)}/edit`, { body });
  }

  react(sessionId: string, msgId: string, reaction: string): Promise<unknown> {
    return this.call("PUT", `${messagePath(sessionId, msgId)}/reactions/${encodeURIComponent(reaction)}`, {});
  }

  unreact(sessionId: string, msgId: string, reaction: string): Promise<unknown> {
    return this.call("DELETE", `${messagePath(sessionId, msgId)}/reactions/${encodeURIComponent(reaction)}`);
  }

  history(sessionId: string, options: { afterSeq?: number; beforeSeq?: number; limit?: number }): Promise<HistoryPage> {
    return this.call("GET", `${sessionPath(sessionId)}/messages?${queryOf(options)}`);
  }

  replies(sessionId: string, msgId: string, options: { afterSeq?: number; limit?: number }): Promise<HistoryPage> {
    return this.call("GET", `${messagePath(sessionId, msgId)}/replies?${queryOf(options)}`);
  }

  pin(sessionId: string, msgId: string): Promise<unknown> {
    return this.call("POST", `${sessionPath(sessionId)}/pins`, { msgId });
  }

  unpin(sessionId: string, msgId: string): Promise<unknown> {
    return this.call("DELETE", `${sessionPath(sessionId)}/pins/${encodeURIComponent(msgId)}`);
  }

  pins(sessionId: string): Promise<{ pins: PinnedMessage[] }> {
    return this.call("GET", `${sessionPath(sessionId)}/pins`);
  }

  receipts(sessionId: string): Promise<SessionReceipts> {
    return this.call("GET", `${sessionPath(sessionId)}/receipts`);
  }

  messageReceipts(sessionId: string, msgId: string): Promise<MessageReceipts> {
    return this.call("GET", `${messagePath(sessionId, msgId)}/receipts`);
  }

  conversationSettings(sessionId: string, settings: ConversationSettings): Promise<unknown> {
    return this.call("PUT", this.user(`/conversations/${encodeURIComponent(sessionId)}/settings`), settings);
  }

  conversations(): Promise<Conversation[]> {
    return this.call("GET", this.user("/conversations"));
  }

  markRead(sessionId: string, seq: number): Promise<unknown> {
    return this.call("POST", this.user(`/conversations/${encodeURIComponent(sessionId)}/read`), { seq });
  }

  typing(sessionId: string): Promise<unknown> {
    return this.call("POST", `${sessionPath(sessionId)}/typing`, {});
  }
}

const sessionPath = (sessionId: string) => `/v1/sessions/${encodeURIComponent(sessionId)}`;
const messagePath = (sessionId: string, msgId: string) => `${sessionPath(sessionId)}/messages/${encodeURIComponent(msgId)}`;

function queryOf(options: Record<string, number | undefined>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(options)) if (value !== undefined) query.set(name, String(value));
  return query;
}
