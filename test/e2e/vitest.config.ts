import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("../..", import.meta.url));

// Browser tests run in plain Node (not the workerd pool): they start `wrangler dev` and Chromium
// themselves. One file at a time, one worker, and minutes rather than seconds per step, because a
// step may wait for the next 30 s TOTP window.
export default defineConfig({
  root,
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    environment: "node",
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // The steps build on each other: after the first failure the rest would only fail noisily.
    bail: 1,
  },
});
