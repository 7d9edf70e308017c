// Two people chat in the built web chat, each in a browser context of its own, against a real API
// node on a fresh database (started as the SDK's integration tests start theirs), which the last
// test kills and starts again on the same port: the pages must reconnect by themselves.

import { expect, test, type Browser, type Page } from "@playwright/test";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ApiNode, freshDatabase } from "../../typescript/test/integration/platform.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
// ApiNode passes its own environment on: these turn the demo on (Development only).
process.env.Demo__Enabled = "true";
process.env.Demo__WebChatPath = path.resolve(here, "../dist");

test.describe.configure({ mode: "serial" });

let postgres: string;
let node: ApiNode;
let alice: Page;
let bob: Page;

async function signIn(browser: Browser, userId: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${node.url}/chat/`);
  await page.getByTestId("login-user").fill(userId);
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("connection-state")).toHaveText("live");
  return page;
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId("message-input").fill(text);
  await page.getByTestId("message-send").click();
}

const messages = (page: Page) => page.getByTestId("message");

test.beforeAll(async ({ browser }) => {
  postgres = freshDatabase();
  node = await ApiNode.start(postgres);
  alice = await signIn(browser, "alice");
  bob = await signIn(browser, "bob");
});

test.afterAll(async () => {
  await node?.kill();
});

test("two users chat, and unread messages show as a badge until the conversation is opened", async () => {
  await alice.getByTestId("new-chat-user").fill("bob");
  await alice.getByTestId("new-chat-submit").click();
  await expect(alice.getByTestId("conversation-title")).toHaveText("bob");
  await send(alice, "hi bob");
  await send(alice, "are you there?");
  await expect(messages(alice)).toHaveCount(2);

  const chatWithAlice = bob.getByTestId("conversation").filter({ hasText: "alice" });
  await expect(chatWithAlice.getByTestId("unread-badge")).toHaveText("2");
  await expect(chatWithAlice.getByTestId("unread-badge")).toBeVisible();
  await chatWithAlice.click();
  await expect(messages(bob).getByTestId("message-text")).toHaveText(["hi bob", "are you there?"]);
  await expect(chatWithAlice.getByTestId("unread-badge")).toBeHidden();

  await send(bob, "hi alice, here I am");
  await expect(messages(alice).getByTestId("message-text")).toHaveText(["hi bob", "are you there?", "hi alice, here I am"]);
  // Alice has the conversation open: what arrives there is read at once.
  await expect(alice.getByTestId("conversation").getByTestId("unread-badge")).toBeHidden();
  await expect(alice.getByTestId("conversation").getByTestId("presence")).toHaveAttribute("data-online", "true", { timeout: 10_000 });
});

test("a retracted message shows as retracted on both sides", async () => {
  await messages(alice).filter({ hasText: "are you there?" }).getByTestId("message-retract").click();
  for (const page of [alice, bob]) {
    const retracted = messages(page).nth(1);
    await expect(retracted).toHaveAttribute("data-retracted", "true");
    await expect(retracted.getByTestId("message-text")).toHaveText("message retracted");
  }
  await send(alice, "never mind, found it");
  await expect(messages(bob)).toHaveCount(4);
});

test("a long conversation opens on its latest page and pages back through history", async () => {
  // Carol writes from elsewhere (her token, over REST), so alice has more than one page waiting.
  const post = (path: string, body: unknown, token?: string) => fetch(`${node.url}${path}`, {
    method: "POST", body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  }).then(async (r) => { expect(r.ok, `${path}: ${r.status}`).toBe(true); return r.json(); });
  const carol = (await post("/demo/token", { userId: "carol" })).token as string;
  const sessionId = (await post("/demo/sessions", { userId: "carol", peer: "alice" })).sessionId as string;
  for (let i = 1; i <= 35; i++) {
    await post(`/v1/sessions/${sessionId}/messages`, { clientMsgId: `carol-${i}`, type: "text", body: { text: `carol ${i}` } }, carol);
  }

  const chatWithCarol = alice.getByTestId("conversation").filter({ hasText: "carol" });
  await expect(chatWithCarol.getByTestId("unread-badge")).toHaveText("35");
  await chatWithCarol.click();
  await expect(messages(alice)).toHaveCount(30);
  await expect(messages(alice).first().getByTestId("message-text")).toHaveText("carol 6");
  await alice.getByTestId("history-more").click();
  await expect(messages(alice)).toHaveCount(35);
  await expect(messages(alice).first().getByTestId("message-text")).toHaveText("carol 1");
  await expect(alice.getByTestId("history-more")).toHaveCount(0);
  await expect(chatWithCarol.getByTestId("unread-badge")).toBeHidden();
  await alice.getByTestId("conversation").filter({ hasText: "bob" }).click();
  await expect(messages(alice)).toHaveCount(4);
  await expect(alice.getByTestId("conversation").filter({ hasText: "bob" })).toHaveClass("open");
  // Kept as the run's artifact (and, copied, as the README's docs/web-chat.png).
  await alice.screenshot({ path: path.resolve(here, "../test-results/conversation.png") });
});

test("after the node is killed and started again, both pages reconnect and a message queued meanwhile arrives", async () => {
  const port = node.port;
  await node.kill();
  for (const page of [alice, bob]) await expect(page.getByTestId("connection-state")).not.toHaveText("live");
  await send(alice, "sent while the node was down");

  node = await ApiNode.start(postgres, port);
  for (const page of [alice, bob]) await expect(page.getByTestId("connection-state")).toHaveText("live", { timeout: 45_000 });
  await expect(messages(bob).last().getByTestId("message-text")).toHaveText("sent while the node was down");
  await send(bob, "welcome back");
  await expect(messages(alice).last().getByTestId("message-text")).toHaveText("welcome back");
  await expect(messages(alice)).toHaveCount(6);
});
