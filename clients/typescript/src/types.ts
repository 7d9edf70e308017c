// The public shapes of the SDK: what the platform sends (API.md "A user's view", "Realtime",
// "Everyday chat") normalized into one event per kind, whether it came pushed or pulled.

export type Priority = "high" | "normal" | "low";
export type MessageType = "text" | "image" | "file" | "custom" | "system";
export type ConnectionState = "connecting" | "live" | "polling" | "offline";

export interface ChatMessage {
  sessionId: string;
  msgId: string;
  seq: number;
  from: string;
  type: string;
  body: unknown;
  priority: Priority;
  sentAt: string;
  retracted: boolean;
  replyTo?: string;
  mentions?: string[];
}

export interface Retraction { sessionId: string; msgId: string }
export interface Edit { sessionId: string; msgId: string; seq?: number; body: unknown; editedAt?: string }
export interface Reaction { sessionId: string; msgId: string; seq?: number; reaction: string; by: string; added: boolean }
export interface ReadReceipt { sessionId: string; userId: string; seq: number }
export interface Typing { sessionId: string; userId: string }
export interface Broadcast { msgId: string; type: string; body: unknown; tags?: string[]; priority: Priority; sentAt: string }

/** A queued send that reached the platform after the client that made it was gone (restored from the store). */
export interface SentReceipt { clientMsgId: string; sessionId: string; msgId: string; seq: number }
export interface SendFailure { clientMsgId: string; sessionId: string; status: number; title: string }

export interface ClientEvents {
  message: ChatMessage;
  retract: Retraction;
  edit: Edit;
  reaction: Reaction;
  read: ReadReceipt;
  typing: Typing;
  broadcast: Broadcast;
  state: ConnectionState;
  sent: SentReceipt;
  sendFailed: SendFailure;
  error: Error;
}

/** One thing to emit, as the merge decided: the event's name and its payload. */
export type ChatEvent = { [K in keyof ClientEvents]: { kind: K; data: ClientEvents[K] } }[keyof ClientEvents];

export interface OutgoingMessage {
  type: MessageType;
  body: unknown;
  replyTo?: string;
  mentions?: string[];
  priority?: Priority;
}

export interface SendResult { msgId: string; seq: number }

/** An item of `GET /v1/users/{userId}/sync`, as the platform writes it (extra v1.1 fields optional). */
export interface SyncItem {
  kind: string;
  sessionId?: string | null;
  msgId: string;
  seq?: number | null;
  from?: string | null;
  type?: string;
  body?: unknown;
  priority?: Priority;
  sentAt?: string;
  retracted?: boolean;
  tags?: string[] | null;
  replyTo?: string | null;
  mentions?: string[] | null;
  editedAt?: string;
  reaction?: string;
  by?: string;
  added?: boolean;
  userId?: string;
}

export interface SyncPage { items: SyncItem[]; cursor: string; hasMore: boolean }

/** A frame of `GET /v1/connect`, server to client (Frames.cs): `msgType` is the message's type there. */
export interface ServerFrame {
  type: string;
  sessionId?: string;
  msgId?: string;
  seq?: number;
  from?: string;
  msgType?: string;
  body?: unknown;
  priority?: Priority;
  sentAt?: string;
  tags?: string[];
  onlineOnly?: boolean;
  clientMsgId?: string;
  status?: number;
  title?: string;
  [field: string]: unknown;
}

export interface HistoryPage { messages: Omit<ChatMessage, "sessionId">[]; hasMore: boolean }

export interface Conversation {
  sessionId: string;
  type: string;
  lastMessage: Omit<ChatMessage, "sessionId"> | null;
  unread: number;
  readSeq: number;
  unreadMentions?: number;
  pinned?: boolean;
  muted?: boolean;
  hidden?: boolean;
}
