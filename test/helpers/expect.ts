/**
 * Assertions shared across files: the one error shape, and the cookie flags the issue requires.
 */
import { expect } from "vitest";
import type { ErrorBody } from "./api";
import { type SetCookie, setCookie } from "./cookies";

export const SESSION_COOKIE = "__Host-session";
export const CHALLENGE_COOKIE = "__Secure-mfa_challenge";

/** Status and code (never the message), and the one JSON error shape. */
export function expectError(r: { status: number; body: unknown }, status: number, code: string): void {
  expect({ status: r.status, code: (r.body as ErrorBody | undefined)?.error?.code }).toEqual({ status, code });
  expect(typeof (r.body as ErrorBody).error.message).toBe("string");
}

/** The session cookie: `__Host-` on https, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain. */
export function expectSessionCookie(res: Response, token?: string): SetCookie {
  const c = setCookie(res, SESSION_COOKIE);
  expect(c, "session Set-Cookie").toBeDefined();
  expect(c!.attributes.get("httponly")).toBe(true);
  expect(c!.attributes.get("secure")).toBe(true);
  expect(c!.attributes.get("samesite")).toBe("Lax");
  expect(c!.attributes.get("path")).toBe("/");
  expect(c!.attributes.has("domain")).toBe(false);
  expect(c!.value.length).toBeGreaterThanOrEqual(43);
  if (token !== undefined) expect(c!.value).toBe(token);
  return c!;
}

/** The challenge cookie: `__Secure-`, HttpOnly, Secure, SameSite=Lax, Path=/auth, 5 minutes. */
export function expectChallengeCookie(res: Response, challenge?: string): SetCookie {
  const c = setCookie(res, CHALLENGE_COOKIE);
  expect(c, "challenge Set-Cookie").toBeDefined();
  expect(c!.attributes.get("httponly")).toBe(true);
  expect(c!.attributes.get("secure")).toBe(true);
  expect(c!.attributes.get("samesite")).toBe("Lax");
  expect(c!.attributes.get("path")).toBe("/auth");
  expect(c!.attributes.get("max-age")).toBe("300");
  if (challenge !== undefined) expect(c!.value).toBe(challenge);
  return c!;
}
