/**
 * @module test/bench/otp/worker
 * Bench-only Worker: runs the verifiers inside workerd and reports the time they took, measured
 * in the isolate so HTTP overhead stays out of the figure.
 */
import { IMPLEMENTATIONS, type Implementation, sanityCheck, timeVerifies } from "./bench";

const MAX_N = 200_000;

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    if (url.pathname === "/check") return Response.json(await sanityCheck());
    if (url.pathname === "/run") {
      const impl = url.searchParams.get("impl") as Implementation;
      const n = Number(url.searchParams.get("n"));
      const startAt = Number(url.searchParams.get("start") ?? 0);
      if (!IMPLEMENTATIONS.includes(impl) || !Number.isInteger(n) || n < 1 || n > MAX_N) {
        return Response.json({ error: "impl must be one of the implementations and 1 ≤ n ≤ 200000" }, { status: 400 });
      }
      return Response.json({ impl, n, elapsedMs: await timeVerifies(impl, n, startAt) });
    }
    return new Response("not found", { status: 404 });
  },
};
