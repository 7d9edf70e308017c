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
  /** User ids, or `["@all"]`. */
  mentions?: string[];
  /** Sync shows a message's latest body; these say it is not the first. */
  edited?: boolean;
  editedAt?: string;
}

export interface Retraction { sessionId: string; msgId: string }
/** A message's new body; `seq` is the edited message's seq, `editedAt` tells one edit of it from another. */
export interface Edit { sessionId: string; msgId: string; seq?: number; body: unknown; editedAt?: string; by?: string }
/** One user's reaction put on or taken off (c2c and groups, pushed or pulled). */
export interface ReactionChange { sessionId: string; msgId: string; seq?: number; reaction: string; by: string; added: boolean }
/** A room's reactions to one message, totals now (rooms are aggregated per message, pushed only). */
export interface ReactionCounts { sessionId: string; msgId: string; seq?: number; counts: Record<string, number> }
export type Reaction = ReactionChange | ReactionCounts;
export interface Pin { sessionId: string; msgId: string; by: string; at?: string }
export interface Unpin { sessionId: string; msgId: string; by: string; at?: string }
/** A member's read mark: it has read everything up to `seq` of the session. */
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
  pin: Pin;
  unpin: Unpin;
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
  edited?: boolean;
  editedAt?: string | null;
  reaction?: string;
  by?: string;
  added?: boolean;
  at?: string;
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

/** A message as history and replies show it: the latest body, and its reactions (`me` when asked with a user token). */
export interface HistoryMessage extends Omit<ChatMessage, "sessionId" | "editedAt"> {
  editedAt?: string | null;
  reactions?: Record<string, { count: number; me?: boolean }>;
}

export interface HistoryPage { messages: HistoryMessage[]; hasMore: boolean }

export interface PinnedMessage { msgId: string; by: string; pinnedAt: string }
export interface SessionReceipts { members: { userId: string; readSeq: number }[] }
export interface MessageReceipts { readBy: string[]; unreadBy: string[] }
export interface ConversationSettings { pinned?: boolean; muted?: boolean; hidden?: boolean }

export interface Conversation {
  sessionId: string;
  type: string;
  lastMessage: HistoryMessage | null;
  unread: number;
  readSeq: number;
  unreadMentions?: number;
  pinned?: boolean;
  muted?: boolean;
  hidden?: boolean;
}
