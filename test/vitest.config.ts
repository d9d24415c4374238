import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

// A fixed key used only inside Miniflare; production keys come from `wrangler secret put`.
export const TEST_ENCRYPTION_KEYS = "k1:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

export default defineConfig(async () => ({
  root,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${root}/wrangler.toml` },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(`${root}/migrations`),
          MFA_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/bench/**", "node_modules/**"],
    setupFiles: ["./test/setup/apply-migrations.ts"],
    // Pre-bundled deps run at native speed; through vite's per-import transform scrypt is 10x slower.
    deps: { optimizer: { ssr: { enabled: true, include: ["@noble/hashes/scrypt.js", "qr"] } } },
  },
}));
