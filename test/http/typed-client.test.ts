import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../../src/index";

const api = hc<AppType>("https://mfa.test", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
  headers: { "CF-Connecting-IP": "203.0.113.77" },
});

describe("typed client (hono/client)", () => {
  it("calls /health with a typed response", async () => {
    const res = await api.health.$get();
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("ok");
  });

  it("reaches the second-factor route with typed params and body", async () => {
    const res = await api.auth[":strategy"].mfa.$post({
      param: { strategy: "password" },
      json: { otp: "123456", challenge: "no-such-challenge-token" },
    });
    expect(res.status).toBe(401);
  });
});
