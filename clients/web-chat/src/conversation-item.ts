// One conversation of the list: the peer's presence, the last message, unread and mention badges,
// and the user's own settings of it (pinned ones come first, a muted one shows its count quietly).

import type { Conversation } from "@messageplatform/client";
import { h } from "./dom.js";
import { textOf } from "./message-item.js";

export interface ConversationContext {
  name: string;
  online: boolean;
  open: boolean;
  select(): void;
  settings(change: { pinned?: boolean; muted?: boolean }): void;
}

export function conversationItem(c: Conversation, context: ConversationContext): HTMLLIElement {
  const last = c.lastMessage;
  const toggle = (testId: string, on: boolean, label: string, title: string, change: () => void) => {
    const b = h("button", { type: "button", class: on ? "setting on" : "setting", "data-testid": testId, "data-on": String(on), title }, label);
    b.addEventListener("click", (event) => { event.stopPropagation(); change(); });
    return b;
  };
  const item = h("li", {
    "data-testid": "conversation", "data-session-id": c.sessionId, "data-pinned": String(c.pinned === true), "data-muted": String(c.muted === true),
    class: [context.open ? "open" : "", c.muted ? "muted" : ""].join(" ").trim() || undefined,
  },
  h("span", { class: "presence", "data-testid": "presence", "data-online": String(context.online), title: context.online ? "online" : "offline" }),
  h("span", { class: "name" }, context.name),
  h("span", { class: "preview" }, last ? (last.retracted ? "retracted" : `${last.from}: ${textOf(last.body)}`) : ""),
  h("span", { class: "badges" },
    h("span", { class: "badge mention", "data-testid": "mention-badge", hidden: !c.unreadMentions, title: "mentions you" }, "@"),
    h("span", { class: "badge", "data-testid": "unread-badge", hidden: c.unread === 0 }, String(c.unread))),
  h("span", { class: "settings" },
    toggle("conversation-pin", c.pinned === true, "📌", c.pinned ? "Unpin this conversation" : "Pin this conversation to the top",
      () => context.settings({ pinned: !c.pinned })),
    toggle("conversation-mute", c.muted === true, c.muted ? "unmute" : "mute", c.muted ? "Unmute" : "Mute",
      () => context.settings({ muted: !c.muted }))));
  item.addEventListener("click", () => context.select());
  return item;
}
