/**
 * The magic-link strategy: always 202, a single-use 15-minute link through the development
 * outbox, and the same MFA gate as the password path.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient, freshEmail } from "../helpers/api";
import { expectNothingInPlaintextAtRest, remember } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import { setCookie } from "../helpers/cookies";
import {
  accountByEmail,
  challengesOf,
  linkTokenFromOutbox,
  one,
  rowCounts,
  sessionByToken,
  sessionsOf,
  sha256Hex,
} from "../helpers/db";
import {
  CHALLENGE_COOKIE,
  expectChallengeCookie,
  expectError,
  expectSessionCookie,
  SESSION_COOKIE,
} from "../helpers/expect";
import { enrolledAccount } from "../helpers/flows";
import { seedAccount } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

interface LinkRow {
  account_id: string;
  expires_at: number;
  created_at: number;
  consumed_at: number | null;
}
const linkRow = async (token: string) =>
  one<LinkRow>("SELECT * FROM sign_in_links WHERE token_hash = ?", await sha256Hex(token));

async function requestLink(client: ApiClient, email: string): Promise<string> {
  const r = await client.json("POST", "/auth/link", { email });
  expect(r.status).toBe(202);
  const token = await linkTokenFromOutbox(email);
  remember("link-token", token);
  return token;
}

describe("POST /auth/link", () => {
  it("answers 202 and mails a link whose token is stored only as a hash, valid 15 minutes", async () => {
    const { email, accountId } = await seedAccount();
    const r = await new ApiClient().json("POST", "/auth/link", { email });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ status: "sent" });
    const mail = await one<{ body: string }>("SELECT body FROM outbox WHERE recipient = ?", email);
    expect(mail?.body).toContain("https://mfa.test/auth/link/callback?token=");
    const token = await linkTokenFromOutbox(email);
    remember("link-token", token);
    const row = await linkRow(token);
    expect(row).toMatchObject({ account_id: accountId, consumed_at: null });
    expect(row!.expires_at - row!.created_at).toBe(15 * 60 * 1000);
  });

  it("answers an unknown email with the same 202 and mails nothing", async () => {
    const before = await rowCounts();
    const r = await new ApiClient().json("POST", "/auth/link", { email: freshEmail("nobody") });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ status: "sent" });
    const after = await rowCounts();
    expect(after.outbox).toBe(before.outbox);
    expect(after.sign_in_links).toBe(before.sign_in_links);
  });

  it("refuses a body without an email with 400 VALIDATION_FAILED", async () => {
    const r = await new ApiClient().json("POST", "/auth/link", {});
    expectError(r, 400, "VALIDATION_FAILED");
  });
});

describe("GET /auth/link/callback without MFA", () => {
  it("issues an aal-1 session, marks the email verified and spends the link", async () => {
    const { email, accountId } = await seedAccount();
    const client = new ApiClient();
    const r = await client.signInWithLink(email);
    expect(r.status).toBe(200);
    expect(r.body.redirect_to).toBe("/account");
    expectSessionCookie(r.res, client.token);
    expect(await sessionByToken(client.token!)).toMatchObject({ account_id: accountId, aal: 1 });
    expect((await accountByEmail(email))?.email_verified_at).not.toBeNull();
    expect((await linkRow(r.linkToken))?.consumed_at).not.toBeNull();
  });

  it("redirects a browser 303 to /account with the session cookie", async () => {
    const { email, accountId } = await seedAccount();
    const client = new ApiClient();
    const token = await requestLink(client, email);
    const res = await client.call("GET", `/auth/link/callback?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account");
    const cookie = expectSessionCookie(res);
    expect(await sessionByToken(cookie.value)).toMatchObject({ account_id: accountId, aal: 1 });
  });

  it("refuses a link the second time with 401 AUTH_LINK_INVALID and no second session", async () => {
    const { email, accountId } = await seedAccount();
    const client = new ApiClient();
    const first = await client.signInWithLink(email);
    expect(first.status).toBe(200);
    const sessions = await sessionsOf(accountId);
    const again = await client.json("GET", `/auth/link/callback?token=${first.linkToken}`, undefined, {
      Accept: "application/json",
    });
    expectError(again, 401, "AUTH_LINK_INVALID");
    expect(setCookie(again.res, SESSION_COOKIE)).toBeUndefined();
    expect(await sessionsOf(accountId)).toHaveLength(sessions.length);
  });

  it("redirects a browser with a dead link to /login?error=AUTH_LINK_INVALID", async () => {
    const res = await new ApiClient().call("GET", "/auth/link/callback?token=not-a-real-token");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/login?error=AUTH_LINK_INVALID");
  });

  it("refuses a link older than 15 minutes with 401 AUTH_LINK_INVALID", async () => {
    const { clock, client } = clockedApp();
    const { email, accountId } = await seedAccount({ now: clock.now });
    const c = client();
    const token = await requestLink(c, email);
    clock.advance(15 * 60 * 1000);
    const r = await c.json("GET", `/auth/link/callback?token=${token}`, undefined, { Accept: "application/json" });
    expectError(r, 401, "AUTH_LINK_INVALID");
    expect((await linkRow(token))?.consumed_at).toBeNull();
    expect(await sessionsOf(accountId)).toHaveLength(1);
  });

  it("accepts a link shortly before its 15 minutes are up", async () => {
    const { clock, client } = clockedApp();
    const { email } = await seedAccount({ now: clock.now });
    const c = client();
    const token = await requestLink(c, email);
    clock.advance(15 * 60 * 1000 - 1000);
    const r = await c.json("GET", `/auth/link/callback?token=${token}`, undefined, { Accept: "application/json" });
    expect(r.status).toBe(200);
  });
});

describe("GET /auth/link/callback with MFA", () => {
  it("asks for MFA exactly like the password path: no session, a challenge for strategy link", async () => {
    const owner = new ApiClient();
    const { email, accountId } = await enrolledAccount(owner);
    const sessionsBefore = await sessionsOf(accountId);

    const viaPassword = await new ApiClient().signIn(email);
    const viaLink = await new ApiClient().signInWithLink(email);

    expect(viaLink.status).toBe(viaPassword.status);
    expect(viaLink.body).toEqual({
      mfa_required: true,
      redirect_to: "/login/mfa?strategy=link",
      challenge: expect.any(String),
    });
    expect(Object.keys(viaLink.body).sort()).toEqual(Object.keys(viaPassword.body).sort());
    const linkCookie = expectChallengeCookie(viaLink.res, viaLink.body.challenge);
    const passwordCookie = expectChallengeCookie(viaPassword.res, viaPassword.body.challenge);
    expect([...linkCookie.attributes]).toEqual([...passwordCookie.attributes]);
    expect(setCookie(viaLink.res, SESSION_COOKIE)).toBeUndefined();
    expect(await sessionsOf(accountId)).toEqual(sessionsBefore);
    expect((await challengesOf(accountId)).map((c) => c.strategy).sort()).toEqual(["link", "password"]);
  });

  it("completes with POST /auth/link/mfa and a current code: an aal-2 session", async () => {
    const owner = new ApiClient();
    const { email, accountId, secret } = await enrolledAccount(owner);
    const client = new ApiClient();
    await client.signInWithLink(email);
    const r = await client.mfa({ otp: codeAt(secret, Date.now() + 30_000) }, "link");
    expect(r.status).toBe(200);
    expect(r.body.redirect_to).toBe("/account");
    expectSessionCookie(r.res, client.token);
    expect(await sessionByToken(client.token!)).toMatchObject({ account_id: accountId, aal: 2 });
  });

  it("redirects a browser 303 to /login/mfa?strategy=link with the challenge cookie", async () => {
    const owner = new ApiClient();
    const { email } = await enrolledAccount(owner);
    const client = new ApiClient();
    const token = await requestLink(client, email);
    const res = await client.call("GET", `/auth/link/callback?token=${token}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/login/mfa?strategy=link");
    expectChallengeCookie(res);
    expect(setCookie(res, SESSION_COOKIE)).toBeUndefined();
    expect(setCookie(res, CHALLENGE_COOKIE)?.value).not.toBe("");
  });
});
