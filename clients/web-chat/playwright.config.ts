import { defineConfig } from "@playwright/test";

// Debian's Chromium (infra/chromium.sh installs it): Playwright never downloads a browser here.
export default defineConfig({
  testDir: "tests",
  outputDir: "test-results",
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [["list"]],
  use: {
    headless: true,
    viewport: { width: 1000, height: 620 },
    launchOptions: { executablePath: process.env.MP_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] },
    trace: "retain-on-failure",
  },
});
