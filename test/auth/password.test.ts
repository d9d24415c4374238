/**
 * The password strategy and sign-up: sessions, the MFA gate, the same answer for unknown emails
 * and wrong passwords, and every way a request body can be refused.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { passwordHashStats } from "../../src/crypto/password";
import { ApiClient, freshEmail, freshIp, PASSWORD, workerFetch } from "../helpers/api";
import { expectNothingInPlaintextAtRest, rememberCookies } from "../helpers/at-rest";
import { appFetcher } from "../helpers/clock";
import { setCookie } from "../helpers/cookies";
import { accountByEmail, challengesOf, eventTypesOf, rowCounts, sessionByToken, sessionsOf } from "../helpers/db";
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

describe("POST /auth/signup", () => {
  it("creates the account with an aal-1 session, its cookie and only the token's hash in D1", async () => {
    const client = new ApiClient();
    const email = freshEmail("signup");
    const r = await client.json<{ redirect_to: string; token: string; expires_at: string }>("POST", "/auth/signup", {
      email,
      password: PASSWORD,
    });
    expect(r.status).toBe(201);
    expect(r.body.redirect_to).toBe("/account");
    expectSessionCookie(r.res, r.body.token);
    const account = await accountByEmail(email);
    expect(account?.password_hash).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    const session = await sessionByToken(r.body.token);
    expect(session).toMatchObject({ account_id: account!.id, aal: 1, revoked_at: null });
    expect(new Date(r.body.expires_at).getTime()).toBe(session!.expires_at);
    expect(await eventTypesOf(account!.id)).toEqual(["signup"]);
  });

  it("stores the email trimmed and lower-cased", async () => {
    const client = new ApiClient();
    const email = freshEmail("Mixed.Case");
    await client.signUp(`  ${email.toUpperCase()} `);
    const account = await accountByEmail(email);
    expect(account?.email).toBe(email.toLowerCase());
  });

  it("refuses an email that is taken, in any spelling, with 409 EMAIL_TAKEN and writes nothing", async () => {
    const { email } = await seedAccount();
    const before = await rowCounts();
    const r = await new ApiClient().json("POST", "/auth/signup", {
      email: ` ${email.toUpperCase()}`,
      password: PASSWORD,
    });
    expectError(r, 409, "EMAIL_TAKEN");
    expect(setCookie(r.res, SESSION_COOKIE)).toBeUndefined();
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a password shorter than 8 characters with 400 VALIDATION_FAILED", async () => {
    const email = freshEmail();
    const r = await new ApiClient().json("POST", "/auth/signup", { email, password: "short" });
    expectError(r, 400, "VALIDATION_FAILED");
    expect(await accountByEmail(email)).toBeUndefined();
  });

  it("refuses an invalid email with 400 VALIDATION_FAILED", async () => {
    const r = await new ApiClient().json("POST", "/auth/signup", { email: "not-an-email", password: PASSWORD });
    expectError(r, 400, "VALIDATION_FAILED");
  });
});

describe("POST /auth/password without MFA", () => {
  it("issues an aal-1 session, its cookie and redirect_to /account", async () => {
    const client = new ApiClient();
    const { email, accountId } = await seedAccount();
    const r = await client.signIn(email);
    expect(r.status).toBe(200);
    expect(r.body.redirect_to).toBe("/account");
    expect(r.body.mfa_required).toBeUndefined();
    expectSessionCookie(r.res, client.token);
    expect(setCookie(r.res, CHALLENGE_COOKIE)).toBeUndefined();
    expect(await sessionByToken(client.token!)).toMatchObject({ account_id: accountId, aal: 1 });
    expect(await challengesOf(accountId)).toEqual([]);
  });

  it("accepts the email in another spelling", async () => {
    const { email } = await seedAccount();
    const r = await new ApiClient().signIn(`  ${email.toUpperCase()}`);
    expect(r.status).toBe(200);
    expect(r.body.redirect_to).toBe("/account");
  });

  it("answers a form post with 303 to /account and the session cookie", async () => {
    const { email, accountId } = await seedAccount();
    const res = await new ApiClient().form("/auth/password", { email, password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account");
    const cookie = expectSessionCookie(res);
    expect(await sessionByToken(cookie.value)).toMatchObject({ account_id: accountId, aal: 1 });
  });
  it("on plain http (local development) names the cookie `session`, still HttpOnly, Secure, SameSite=Lax", async () => {
    const { email, accountId } = await seedAccount();
    const res = await workerFetch(
      new Request("http://127.0.0.1:8787/auth/password", {
        method: "POST",
        headers: { "Content-Type": "application/json", "CF-Connecting-IP": freshIp() },
        body: JSON.stringify({ email, password: PASSWORD }),
      }),
    );
    rememberCookies(res);
    expect(res.status).toBe(200);
    expect(setCookie(res, SESSION_COOKIE)).toBeUndefined();
    const cookie = setCookie(res, "session");
    expect(cookie?.attributes.get("httponly")).toBe(true);
    expect(cookie?.attributes.get("secure")).toBe(true);
    expect(cookie?.attributes.get("samesite")).toBe("Lax");
    expect(cookie?.attributes.get("path")).toBe("/");
    expect(await sessionByToken(cookie!.value)).toMatchObject({ account_id: accountId, aal: 1 });
  });
});

describe("POST /auth/password with MFA", () => {
  it("issues no session but a challenge bound to the account and strategy, with its cookie", async () => {
    const client = new ApiClient();
    const { email, accountId } = await enrolledAccount(client);
    const sessionsBefore = await sessionsOf(accountId);
    const r = await client.signIn(email);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      mfa_required: true,
      redirect_to: "/login/mfa?strategy=password",
      challenge: expect.any(String),
    });
    expectChallengeCookie(r.res, r.body.challenge);
    expect(setCookie(r.res, SESSION_COOKIE)).toBeUndefined();
    expect(await sessionsOf(accountId)).toEqual(sessionsBefore);
    const [challenge] = await challengesOf(accountId);
    expect(challenge).toMatchObject({ strategy: "password", consumed_at: null, session_id: null });
    expect(challenge!.expires_at - challenge!.created_at).toBe(5 * 60 * 1000);
    expect(challenge!.token_hash).not.toBe(r.body.challenge);
  });

  it("answers a form post with 303 to /login/mfa?strategy=password and the challenge cookie", async () => {
    const client = new ApiClient();
    const { email } = await enrolledAccount(client);
    const res = await new ApiClient().form("/auth/password", { email, password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/login/mfa?strategy=password");
    expectChallengeCookie(res);
    expect(setCookie(res, SESSION_COOKIE)).toBeUndefined();
  });
});

describe("wrong credentials", () => {
  it("answers an unknown email and a wrong password with the same 401 AUTH_INVALID_CREDENTIALS", async () => {
    const { email, accountId } = await seedAccount();
    const unknown = await new ApiClient().signIn(freshEmail("nobody"));
    const wrong = await new ApiClient().signIn(email, "not the password");
    expectError(unknown, 401, "AUTH_INVALID_CREDENTIALS");
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.body).toEqual(unknown.body);
    expect(setCookie(wrong.res, SESSION_COOKIE)).toBeUndefined();
    expect(await sessionsOf(accountId)).toHaveLength(1);
  });

  it("does the same scrypt work for an unknown email as for a wrong password", async () => {
    const { email } = await seedAccount();
    const client = new ApiClient(appFetcher(createApp()));
    const before = passwordHashStats.computations;
    await client.signIn(freshEmail("nobody"));
    const forUnknown = passwordHashStats.computations - before;
    await client.signIn(email, "not the password");
    const forWrong = passwordHashStats.computations - before - forUnknown;
    expect(forUnknown).toBe(1);
    expect(forWrong).toBe(forUnknown);
  });

  it("answers a form post with a wrong password with 303 to /login?error=AUTH_INVALID_CREDENTIALS", async () => {
    const { email } = await seedAccount();
    const res = await new ApiClient().form("/auth/password", { email, password: "not the password" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/login?error=AUTH_INVALID_CREDENTIALS");
    expect(setCookie(res, SESSION_COOKIE)).toBeUndefined();
  });
});

describe("refused requests", () => {
  it("answers an unknown strategy with 404 AUTH_STRATEGY_UNKNOWN", async () => {
    const r = await new ApiClient().json("POST", "/auth/carrier-pigeon", { email: freshEmail(), password: PASSWORD });
    expectError(r, 404, "AUTH_STRATEGY_UNKNOWN");
  });

  it("refuses a body without a password with 400 VALIDATION_FAILED", async () => {
    const r = await new ApiClient().json("POST", "/auth/password", { email: freshEmail() });
    expectError(r, 400, "VALIDATION_FAILED");
  });

  it("refuses a request without a body with 400 VALIDATION_FAILED", async () => {
    const r = await new ApiClient().json("POST", "/auth/password");
    expectError(r, 400, "VALIDATION_FAILED");
  });

  it("refuses malformed JSON with 400 VALIDATION_FAILED", async () => {
    const r = await new ApiClient().json("POST", "/auth/password", '{"email": "a@example.com", ');
    expectError(r, 400, "VALIDATION_FAILED");
  });

  it("refuses a text/plain body with 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const r = await new ApiClient().json("POST", "/auth/password", `email=${freshEmail()}`, {
      "Content-Type": "text/plain",
    });
    expectError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("refuses a body over 16 KiB with 413 PAYLOAD_TOO_LARGE before creating anything", async () => {
    const email = freshEmail();
    const r = await new ApiClient().json("POST", "/auth/signup", { email, password: "x".repeat(16 * 1024) });
    expectError(r, 413, "PAYLOAD_TOO_LARGE");
    expect(await accountByEmail(email)).toBeUndefined();
  });
});
