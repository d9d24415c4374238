/**
 * Safe headers and cookies (issue 6): pages and API answers carry the CSP and its friends, HSTS
 * only on https, and session cookies with the strictest flags the scheme allows.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { freshEmail, PASSWORD } from "../helpers/api";
import { setCookie } from "../helpers/cookies";

const get = (url: string) => exports.default.fetch(url);

function signUp(origin: string) {
  return exports.default.fetch(`${origin}/auth/signup`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": "203.0.113.9" },
    body: JSON.stringify({ email: freshEmail("headers"), password: PASSWORD }),
  });
}

describe("security headers", () => {
  for (const path of ["/", "/login", "/signup", "/login/mfa?strategy=password", "/health", "/no-such-page"]) {
    it(`${path} carries a strict CSP, no framing, nosniff and a referrer policy`, async () => {
      const res = await get(`https://mfa.test${path}`);
      const csp = res.headers.get("Content-Security-Policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy")).toBe("same-origin");
      expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    });
  }

  it("sends HSTS on https and not on plain http (local development)", async () => {
    expect((await get("https://mfa.test/")).headers.get("Strict-Transport-Security")).toMatch(/max-age=\d{7,}/);
    expect((await get("http://127.0.0.1/")).headers.get("Strict-Transport-Security")).toBeNull();
  });

  it("pages use no inline script or style, only the Worker's own assets", async () => {
    const html = await (await get("https://mfa.test/login")).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/https?:\/\/(?!mfa\.test)/);
  });
});

describe("session cookies", () => {
  it("on https: __Host-session, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain", async () => {
    const res = await signUp("https://mfa.test");
    expect(res.status).toBe(201);
    const cookie = setCookie(res, "__Host-session");
    expect(cookie).toBeDefined();
    expect(cookie!.attributes.has("httponly")).toBe(true);
    expect(cookie!.attributes.has("secure")).toBe(true);
    expect(String(cookie!.attributes.get("samesite")).toLowerCase()).toBe("lax");
    expect(cookie!.attributes.get("path")).toBe("/");
    expect(cookie!.attributes.has("domain")).toBe(false);
  });

  it("on plain http (local development): `session`, still HttpOnly, Secure and SameSite=Lax", async () => {
    const res = await signUp("http://127.0.0.1:8787");
    expect(res.status).toBe(201);
    expect(setCookie(res, "__Host-session")).toBeUndefined();
    const cookie = setCookie(res, "session");
    expect(cookie!.attributes.has("httponly")).toBe(true);
    expect(cookie!.attributes.has("secure")).toBe(true);
    expect(String(cookie!.attributes.get("samesite")).toLowerCase()).toBe("lax");
  });
});
