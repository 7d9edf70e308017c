import { defineConfig } from "vitest/config";

// Each file starts its own platform nodes on a database of its own; one file at a time, because
// the machine is small and the nodes' start-up dominates.
export default defineConfig({
  test: {
    include: ["test/integration/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
