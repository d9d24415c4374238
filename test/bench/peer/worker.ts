/**
 * @module test/bench/peer/worker
 * The peer for `npm run bench`: a minimal Worker using Better Auth with its twoFactor plugin on
 * D1 (Better Auth's Kysely adapter with its built-in D1 dialect, given the binding directly).
 * Defaults everywhere except: rate limiting off (its default outside production; ours stays on)
 * and telemetry off. Bench-only routes: /health, /bench/migrate, /bench/hash-cost.
 */
import { betterAuth } from "better-auth";
import { hashPassword } from "better-auth/crypto";
import { getMigrations } from "better-auth/db/migration";
import { twoFactor } from "better-auth/plugins/two-factor";

interface Env {
  DB: D1Database;
  BETTER_AUTH_SECRET: string;
}

function createAuth(env: Env, origin: string) {
  return betterAuth({
    appName: "edge-mfa bench peer",
    baseURL: origin,
    secret: env.BETTER_AUTH_SECRET,
    database: env.DB,
    emailAndPassword: { enabled: true },
    plugins: [twoFactor()],
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
  });
}

let auth: ReturnType<typeof createAuth> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ status: "ok" });
    auth ??= createAuth(env, url.origin);
    if (url.pathname === "/bench/migrate" && request.method === "POST") {
      const { runMigrations, toBeCreated } = await getMigrations(auth.options);
      await runMigrations();
      return Response.json({ created: toBeCreated.map((t) => t.table) });
    }
    if (url.pathname === "/bench/hash-cost") {
      const n = Math.min(10, Math.max(1, Number(url.searchParams.get("n")) || 1));
      const started = performance.now();
      for (let i = 0; i < n; i++) await hashPassword(`bench password ${i}`);
      return Response.json({ n, isolateMs: performance.now() - started });
    }
    return auth.handler(request);
  },
};
