// Sign in as a user of the demo tenant, then the chat. The user id is remembered for a reload.

import { ChatView } from "./chat.js";
import { h } from "./dom.js";
import { signIn } from "./demo.js";
import "./style.css";

const app = document.querySelector<HTMLDivElement>("#app")!;

function showLogin(error?: string): void {
  const user = h("input", { "data-testid": "login-user", placeholder: "your user id, e.g. alice", autocomplete: "off",
    value: localStorage.getItem("webchat:user") ?? "" });
  const submit = h("button", { "data-testid": "login-submit", type: "submit" }, "Sign in");
  const form = h("form", { class: "login" },
    h("h1", {}, "MessagePlatform web chat"),
    h("p", {}, "Any user id of the demo tenant; open a chat with another one from a second window."),
    user, submit, error ? h("p", { class: "error", "data-testid": "login-error" }, error) : null);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit.disabled = true;
    void start(user.value.trim()).catch((e: unknown) => showLogin(e instanceof Error ? e.message : String(e)));
  });
  app.replaceChildren(form);
  user.focus();
}

async function start(userId: string): Promise<void> {
  const session = await signIn(userId);
  localStorage.setItem("webchat:user", session.userId);
  const view = new ChatView(session, app);
  await view.start();
}

showLogin();
