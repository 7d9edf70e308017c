// One message of the open conversation as drawn from the SDK's timeline: the quote it replies to,
// its latest text (edited or retracted), mentions, reactions (a few fixed emoji; the user's own
// highlighted), pinned, and for the user's own messages the controls and who has read it.

import type { MessageView } from "@messageplatform/client";
import { h } from "./dom.js";

export const REACTIONS = ["👍", "❤️", "😂", "🎉"];

export interface MessageActions {
  edit(message: MessageView): void;
  reply(message: MessageView): void;
  retract(message: MessageView): void;
  toggleReaction(message: MessageView, reaction: string): void;
  togglePin(message: MessageView): void;
}

export interface MessageContext {
  me: string;
  /** The message replied to, when known. */
  quoted: MessageView | undefined;
  /** Members other than the sender who have read it (own messages only). */
  readBy: string[];
  actions: MessageActions;
}

export function messageItem(m: MessageView, context: MessageContext): HTMLLIElement {
  const { me, actions } = context;
  const mine = m.from === me;
  const button = (testId: string, label: string, title: string, act: () => void) => {
    const b = h("button", { "data-testid": testId, type: "button", title }, label);
    b.addEventListener("click", (event) => { event.stopPropagation(); act(); });
    return b;
  };
  const controls = m.retracted ? null : h("span", { class: "controls" },
    button("message-reply", "reply", "Reply", () => actions.reply(m)),
    button("message-react", "react", "React", () => picker.toggleAttribute("hidden")),
    button("message-pin", m.pinned ? "unpin" : "pin", m.pinned ? "Unpin" : "Pin", () => actions.togglePin(m)),
    mine ? button("message-edit", "edit", "Edit", () => actions.edit(m)) : null,
    mine ? button("message-retract", "retract", "Retract", () => actions.retract(m)) : null);
  const picker = h("span", { class: "picker", "data-testid": "reaction-picker", hidden: true },
    ...REACTIONS.map((r) => button("reaction-option", r, `React with ${r}`, () => { picker.hidden = true; actions.toggleReaction(m, r); })));
  picker.querySelectorAll("button").forEach((b, i) => b.setAttribute("data-reaction", REACTIONS[i]!));
  const reactions = Object.entries(m.reactions).filter(([, r]) => r.count > 0);
  const chips = reactions.length === 0 ? null : h("span", { class: "reactions" }, ...reactions.map(([reaction, { count, me: mineToo }]) => {
    const chip = h("button", {
      type: "button", class: mineToo ? "reaction me" : "reaction", "data-testid": "reaction", "data-reaction": reaction,
      "data-count": String(count), "data-me": String(mineToo), title: mineToo ? "Take your reaction back" : "React too",
    }, `${reaction} ${count}`);
    chip.addEventListener("click", () => actions.toggleReaction(m, reaction));
    return chip;
  }));
  const quote = m.replyTo ? h("blockquote", { class: "quote", "data-testid": "reply-quote", "data-reply-to": m.replyTo },
    context.quoted ? `${context.quoted.from}: ${context.quoted.retracted ? "message retracted" : textOf(context.quoted.body)}` : "an earlier message") : null;
  const mentionsMe = (m.mentions ?? []).some((u) => u === me || u === "@all");
  const receipt = mine && !m.retracted ? h("span", {
    class: "receipt", "data-testid": "read-receipt", "data-read": String(context.readBy.length > 0),
  }, context.readBy.length > 0 ? `✓✓ read by ${context.readBy.join(", ")}` : "✓ sent") : null;
  return h("li", {
    "data-testid": "message", "data-msg-id": m.msgId, "data-seq": String(m.seq), "data-retracted": String(m.retracted),
    "data-edited": String(m.edited), "data-pinned": String(m.pinned), "data-mentions-me": String(mentionsMe),
    class: [mine ? "mine" : "theirs", mentionsMe ? "mentioned" : ""].join(" ").trim(),
  },
  h("span", { class: "from" }, m.from, m.pinned ? h("span", { class: "pinned", "data-testid": "message-pinned" }, " 📌") : null),
  quote,
  h("span", { class: "text", "data-testid": "message-text" }, m.retracted ? "message retracted" : textOf(m.body)),
  m.edited && !m.retracted ? h("span", { class: "edited", "data-testid": "message-edited" }, " (edited)") : null,
  chips, controls, picker, receipt);
}

export function textOf(body: unknown): string {
  if (body && typeof body === "object" && typeof (body as { text?: unknown }).text === "string") return (body as { text: string }).text;
  return JSON.stringify(body);
}
