// Everyday chat in the built web chat: two people, each in a browser context of its own, against
// a real API node on a fresh database. One sees the other typing, replies with a quote and a
// mention, they react to each other's messages, one edits a message, and read receipts show.

import { expect, test, type Browser, type Page } from "@playwright/test";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ApiNode, freshDatabase } from "../../typescript/test/integration/platform.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.Demo__Enabled = "true";
process.env.Demo__WebChatPath = path.resolve(here, "../dist");

test.describe.configure({ mode: "serial" });

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

const message = (page: Page, text: string) => page.getByTestId("message").filter({ has: page.getByTestId("message-text").getByText(text, { exact: true }) });

test.beforeAll(async ({ browser }) => {
  node = await ApiNode.start(freshDatabase());
  alice = await signIn(browser, "alice");
  bob = await signIn(browser, "bob");
});

test.afterAll(async () => {
  await node?.kill();
});

test("typing shows on the other side, a reply quotes and mentions, and read receipts tick", async () => {
  await alice.getByTestId("new-chat-user").fill("bob");
  await alice.getByTestId("new-chat-submit").click();
  await send(alice, "pizza tonight?");
  await bob.getByTestId("conversation").filter({ hasText: "alice" }).click();
  await expect(message(bob, "pizza tonight?")).toHaveCount(1);
  await expect(bob.getByTestId("peer-presence")).toHaveAttribute("data-online", "true", { timeout: 10_000 });

  await message(bob, "pizza tonight?").getByTestId("message-reply").click();
  await expect(bob.getByTestId("composer-mode")).toContainText("replying to alice");
  await bob.getByTestId("message-input").pressSequentially("@alice yes");
  await expect(alice.getByTestId("typing-indicator")).toHaveText("bob is typing…");
  await bob.getByTestId("message-send").click();

  const reply = message(alice, "@alice yes");
  await expect(reply.getByTestId("reply-quote")).toHaveText("alice: pizza tonight?");
  await expect(reply).toHaveAttribute("data-mentions-me", "true");
  await expect(alice.getByTestId("typing-indicator")).toBeHidden();
  // Bob had the conversation open when the question came: alice's message shows as read by him.
  await expect(message(alice, "pizza tonight?").getByTestId("read-receipt")).toHaveAttribute("data-read", "true");
  await expect(message(alice, "pizza tonight?").getByTestId("read-receipt")).toContainText("read by bob");
  await expect(message(bob, "@alice yes").getByTestId("read-receipt")).toHaveAttribute("data-read", "true");
});

test("reactions add up across both sides, and a second click takes one's own back", async () => {
  await message(alice, "@alice yes").getByTestId("message-react").click();
  await message(alice, "@alice yes").locator('[data-testid="reaction-option"][data-reaction="👍"]').click();
  const onBob = message(bob, "@alice yes").getByTestId("reaction");
  await expect(onBob).toHaveAttribute("data-count", "1");
  await expect(onBob).toHaveAttribute("data-me", "false");
  await onBob.click(); // bob joins in
  for (const page of [alice, bob]) {
    await expect(message(page, "@alice yes").getByTestId("reaction")).toHaveAttribute("data-count", "2");
  }
  await expect(message(alice, "@alice yes").getByTestId("reaction")).toHaveAttribute("data-me", "true");
  await message(alice, "@alice yes").getByTestId("reaction").click(); // alice takes hers back
  for (const page of [alice, bob]) {
    await expect(message(page, "@alice yes").getByTestId("reaction")).toHaveAttribute("data-count", "1");
  }
  await expect(message(bob, "@alice yes").getByTestId("reaction")).toHaveAttribute("data-me", "true");
});

test("an edited message shows its new text on both sides, marked edited, and survives a reload", async () => {
  await message(alice, "pizza tonight?").getByTestId("message-edit").click();
  await expect(alice.getByTestId("message-input")).toHaveValue("pizza tonight?");
  await alice.getByTestId("message-input").fill("pizza at 8?");
  await alice.getByTestId("message-send").click();
  for (const page of [alice, bob]) {
    await expect(message(page, "pizza at 8?")).toHaveAttribute("data-edited", "true");
    await expect(message(page, "pizza at 8?").getByTestId("message-edited")).toBeVisible();
  }
  await expect(message(bob, "pizza tonight?")).toHaveCount(0);
  // The reply's quote follows the edit.
  await expect(message(bob, "@alice yes").getByTestId("reply-quote")).toHaveText("alice: pizza at 8?");
  // Kept as the run's artifact.
  await alice.screenshot({ path: path.resolve(here, "../test-results/everyday.png") });

  await bob.reload();
  await bob.getByTestId("login-user").fill("bob");
  await bob.getByTestId("login-submit").click();
  await bob.getByTestId("conversation").filter({ hasText: "alice" }).click();
  await expect(message(bob, "pizza at 8?")).toHaveAttribute("data-edited", "true");
  await expect(message(bob, "@alice yes").getByTestId("reaction")).toHaveAttribute("data-count", "1");
  await expect(message(bob, "@alice yes").getByTestId("reaction")).toHaveAttribute("data-me", "true");
  await expect(message(bob, "@alice yes").getByTestId("reply-quote")).toHaveText("alice: pizza at 8?");
});

test("a pinned conversation comes first, and a muted one says so", async () => {
  await alice.getByTestId("new-chat-user").fill("dave");
  await alice.getByTestId("new-chat-submit").click();
  const list = alice.getByTestId("conversation");
  await expect(list.first()).toContainText("dave"); // the newest activity first
  await list.filter({ hasText: "bob" }).getByTestId("conversation-pin").click();
  await expect(list.first()).toContainText("bob");
  await expect(list.first()).toHaveAttribute("data-pinned", "true");
  await list.filter({ hasText: "bob" }).getByTestId("conversation-mute").click();
  await expect(list.filter({ hasText: "bob" })).toHaveAttribute("data-muted", "true");
  await expect(list.filter({ hasText: "dave" })).toHaveAttribute("data-muted", "false");
});
