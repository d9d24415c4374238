/**
 * @module auth/cookies
 * Cookie names and flags. On https the session cookie carries the `__Host-` prefix (Secure,
 * Path=/, no Domain) and the challenge cookie `__Secure-` (its Path is /auth). Both are
 * HttpOnly and SameSite=Lax; Secure is always set (browsers accept it on http://127.0.0.1 too).
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

const isHttps = (c: Context) => new URL(c.req.url).protocol === "https:";

export const sessionCookieName = (c: Context) => (isHttps(c) ? "__Host-session" : "session");
export const challengeCookieName = (c: Context) => (isHttps(c) ? "__Secure-mfa_challenge" : "mfa_challenge");

const FLAGS = { httpOnly: true, secure: true, sameSite: "Lax" } as const;
const SESSION_PATH = "/";
const CHALLENGE_PATH = "/auth";

const lifetime = (expiresAt: number, now: number) => Math.max(1, Math.floor((expiresAt - now) / 1000));

export function setSessionCookie(c: Context, token: string, expiresAt: number, now: number): void {
  setCookie(c, sessionCookieName(c), token, { ...FLAGS, path: SESSION_PATH, maxAge: lifetime(expiresAt, now) });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, sessionCookieName(c), { ...FLAGS, path: SESSION_PATH });
}

export function setChallengeCookie(c: Context, token: string, expiresAt: number, now: number): void {
  setCookie(c, challengeCookieName(c), token, { ...FLAGS, path: CHALLENGE_PATH, maxAge: lifetime(expiresAt, now) });
}

export function clearChallengeCookie(c: Context): void {
  deleteCookie(c, challengeCookieName(c), { ...FLAGS, path: CHALLENGE_PATH });
}

export const readSessionCookie = (c: Context): string | undefined => getCookie(c, sessionCookieName(c));
export const readChallengeCookie = (c: Context): string | undefined => getCookie(c, challengeCookieName(c));
