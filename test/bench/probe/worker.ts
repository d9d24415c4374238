/**
 * @module test/bench/probe/worker
 * Bench-only Worker: the product app behind counting bindings (test/perf/counting-env.ts), so the
 * benchmark can print the D1 round trips and Durable Object calls each request made, and a route
 * that times the password hash at the configured scrypt parameters inside workerd.
 */
import authConfig from "../../../config/auth";
import { createApp } from "../../../src/app";
import { hashPassword } from "../../../src/crypto/password";
import { countingEnv, emptyCount } from "../../perf/counting-env";

export { Limiter } from "../../../src/limits/limiter";

const app = createApp();

export default {
  async fetch(request: Request, env: Cloudflare.Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/bench/scrypt") {
      const n = Math.min(10, Math.max(1, Number(url.searchParams.get("n")) || 1));
      const started = performance.now();
      for (let i = 0; i < n; i++) await hashPassword(`bench password ${i}`, authConfig.password.scrypt);
      return Response.json({ n, isolateMs: performance.now() - started, params: authConfig.password.scrypt });
    }
    const count = emptyCount();
    const response = await app.fetch(request, countingEnv(env, count), ctx);
    const counted = new Response(response.body, response);
    counted.headers.set("x-bench-d1", count.d1.join(","));
    // Object names carry addresses and account ids; the kind (prefix) and the method are enough.
    counted.headers.set("x-bench-do", count.durableObjects.map((c) => c.replace(/:.*\./, ".")).join(","));
    return counted;
  },
};
