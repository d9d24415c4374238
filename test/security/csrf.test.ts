/**
 * Cross-site request forgery: a cookie-authenticated unsafe request from another origin is
 * refused with 403 CSRF_REJECTED before it changes anything; bearer requests are exempt.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient, ORIGIN } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";
import { challengeByToken, enrollmentsOf, rowCounts, sessionByToken } from "../helpers/db";
import { CHALLENGE_COOKIE, expectError, SESSION_COOKIE } from "../helpers/expect";
import { enrolledAccount } from "../helpers/flows";
import { seedAccount, seedSession } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

const EVIL = { Origin: "https://evil.example" };

/** A browser holding `token` as its session cookie. */
function browserWith(token: string): ApiClient {
  const browser = new ApiClient(undefined, undefined, { cookies: true });
  browser.jar!.set(SESSION_COOKIE, token);
  return browser;
}

describe("a cookie-authenticated request from another origin", () => {
  it("cannot revoke a session: 403 CSRF_REJECTED and the session stays live", async () => {
    const { token, accountId } = await seedAccount();
    const other = await seedSession(accountId);
    const r = await browserWith(token).json("DELETE", `/api/v1/account/sessions/${other.sessionId}`, undefined, EVIL);
    expectError(r, 403, "CSRF_REJECTED");
    expect((await sessionByToken(other.token))?.revoked_at).toBeNull();
  });

  it("cannot sign the browser out: 403 CSRF_REJECTED and the session still works", async () => {
    const { token } = await seedAccount();
    const browser = browserWith(token);
    expectError(await browser.json("POST", "/auth/logout", undefined, EVIL), 403, "CSRF_REJECTED");
    expect((await sessionByToken(token))?.revoked_at).toBeNull();
    expect((await browser.json("GET", "/api/v1/account/security")).status).toBe(200);
  });

  it("cannot confirm an authenticator: 403 CSRF_REJECTED and the setup stays pending", async () => {
    const { token, accountId } = await seedAccount();
    const browser = browserWith(token);
    const { secret } = (await browser.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa")).body.mfa;
    const r = await browser.json("PUT", "/api/v1/account/mfa", { token: codeAt(secret, Date.now()), secret }, EVIL);
    expectError(r, 403, "CSRF_REJECTED");
    expect(await enrollmentsOf(accountId)).toHaveLength(1);
    expect((await sessionByToken(token))?.aal).toBe(1);
  });

  it("cannot complete a sign-in with the challenge cookie: 403 CSRF_REJECTED, the challenge unused", async () => {
    const { email, secret } = await enrolledAccount(new ApiClient());
    const browser = new ApiClient(undefined, undefined, { cookies: true });
    await browser.json("POST", "/auth/password", { email, password: "correct horse battery staple" });
    const challenge = browser.jar!.get(CHALLENGE_COOKIE)!;
    const r = await browser.json("POST", "/auth/password/mfa", { otp: codeAt(secret, Date.now() + 30_000) }, EVIL);
    expectError(r, 403, "CSRF_REJECTED");
    expect((await challengeByToken(challenge))?.consumed_at).toBeNull();
  });

  it("is refused when only Sec-Fetch-Site says cross-site", async () => {
    const { token } = await seedAccount();
    const r = await browserWith(token).json("POST", "/auth/logout", undefined, { "Sec-Fetch-Site": "cross-site" });
    expectError(r, 403, "CSRF_REJECTED");
    expect((await sessionByToken(token))?.revoked_at).toBeNull();
  });

  it.each([
    ["POST", "/auth/signup"],
    ["POST", "/auth/password"],
    ["POST", "/auth/link"],
    ["DELETE", "/api/v1/account/mfa"],
    ["POST", "/api/v1/account/mfa/recovery-codes"],
  ])("is refused on %s %s with 403 CSRF_REJECTED before anything is written", async (method, path) => {
    const { token, email } = await seedAccount();
    const before = await rowCounts();
    const body = { email, password: "correct horse battery staple", sudo_password: "x", otp: "123456" };
    const r = await browserWith(token).json(method, path, body, EVIL);
    expectError(r, 403, "CSRF_REJECTED");
    expect(await rowCounts()).toEqual(before);
  });

  it("is refused when the Origin is opaque (null)", async () => {
    const { token } = await seedAccount();
    const r = await browserWith(token).json("POST", "/auth/logout", undefined, { Origin: "null" });
    expectError(r, 403, "CSRF_REJECTED");
    expect((await sessionByToken(token))?.revoked_at).toBeNull();
  });

  it("may still read: a GET is not refused", async () => {
    const { token } = await seedAccount();
    const r = await browserWith(token).json("GET", "/api/v1/account/security", undefined, EVIL);
    expect(r.status).toBe(200);
  });
});

describe("requests that are not forgeable", () => {
  it("the same cookie request from our own origin succeeds", async () => {
    const { token, accountId } = await seedAccount();
    const other = await seedSession(accountId);
    const r = await browserWith(token).call("DELETE", `/api/v1/account/sessions/${other.sessionId}`, undefined, {
      Origin: ORIGIN,
      "Sec-Fetch-Site": "same-origin",
    });
    expect(r.status).toBe(204);
    expect((await sessionByToken(other.token))?.revoked_at).not.toBeNull();
  });

  it("a bearer request from another origin is exempt", async () => {
    const client = new ApiClient();
    const { accountId } = await seedAccount({ client });
    const other = await seedSession(accountId);
    const r = await client.call("DELETE", `/api/v1/account/sessions/${other.sessionId}`, undefined, EVIL);
    expect(r.status).toBe(204);
    expect((await sessionByToken(other.token))?.revoked_at).not.toBeNull();
  });
});
