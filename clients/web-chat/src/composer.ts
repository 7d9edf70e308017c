// The composer: writes a new message, a reply (quoted above the input) or an edit of one's own
// message; "@name" words naming a member (or @all) become the message's mentions; each keystroke
// tells the others "typing" (the SDK passes on at most one every 2 s).

import type { MessageView } from "@messageplatform/client";
import { h } from "./dom.js";
import { textOf } from "./message-item.js";

export interface Draft { text: string; replyTo?: string; mentions?: string[]; editing?: MessageView }

export class Composer {
  readonly input = h("input", { "data-testid": "message-input", placeholder: "Write a message (@name mentions)", autocomplete: "off", disabled: true });
  private readonly button = h("button", { "data-testid": "message-send", type: "submit", disabled: true }, "Send");
  private readonly banner = h("div", { class: "banner", "data-testid": "composer-banner", hidden: true });
  readonly element: HTMLElement;
  private replyTo: MessageView | undefined;
  private editing: MessageView | undefined;

  /** `members` says who may be mentioned in the open conversation. */
  constructor(private readonly members: () => string[], submit: (draft: Draft) => void, typing: () => void) {
    const form = h("form", { class: "composer" }, this.input, this.button);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      submit(this.draft(text));
      this.input.value = "";
      this.clear();
    });
    this.input.addEventListener("input", () => { if (!this.editing && this.input.value) typing(); });
    this.input.addEventListener("keydown", (event) => { if (event.key === "Escape") this.clear(); });
    this.element = h("div", { class: "composer-area" }, this.banner, form);
  }

  enable(on: boolean): void {
    this.input.disabled = !on;
    this.button.disabled = !on;
    if (!on) this.clear();
  }

  reply(message: MessageView): void {
    this.editing = undefined;
    this.replyTo = message;
    this.show(`replying to ${message.from}: ${textOf(message.body)}`);
  }

  edit(message: MessageView): void {
    this.replyTo = undefined;
    this.editing = message;
    this.input.value = textOf(message.body);
    this.show("editing your message");
  }

  clear(): void {
    this.replyTo = this.editing = undefined;
    this.banner.hidden = true;
    this.banner.replaceChildren();
  }

  private show(text: string): void {
    const cancel = h("button", { type: "button", "data-testid": "composer-cancel", title: "Cancel" }, "×");
    cancel.addEventListener("click", () => { this.clear(); if (this.input.value) this.input.value = ""; });
    this.banner.replaceChildren(h("span", { "data-testid": "composer-mode" }, text), cancel);
    this.banner.hidden = false;
    this.input.focus();
  }

  private draft(text: string): Draft {
    if (this.editing) return { text, editing: this.editing };
    const members = new Set(this.members());
    const named = [...text.matchAll(/(?:^|\s)@([A-Za-z0-9:_.-]+)/g)].map((match) => match[1]!);
    const mentions = named.includes("all") ? ["@all"] : [...new Set(named.filter((u) => members.size === 0 || members.has(u)))];
    return { text, replyTo: this.replyTo?.msgId, mentions: mentions.length > 0 ? mentions : undefined };
  }
}
