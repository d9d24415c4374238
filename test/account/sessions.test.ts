/**
 * Sessions: listing and revoking, sign-out, a fresh session at MFA completion (no fixation),
 * and the aal-2 limits of NIST SP 800-63B §4.2.3 (30 min idle, 12 h absolute).
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import { isDeletion, setCookie } from "../helpers/cookies";
import { sessionByToken, sessionsOf } from "../helpers/db";
import { expectError, SESSION_COOKIE } from "../helpers/expect";
import { completeWithCode, enrolledAccount } from "../helpers/flows";
import { seedAccount, seedSession } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

interface SessionView {
  id: string;
  aal: number;
  current: boolean;
}

const MINUTE = 60_000;
const listSessions = (client: ApiClient) => client.json<{ sessions: SessionView[] }>("GET", "/api/v1/account/sessions");
const security = (client: ApiClient) => client.json("GET", "/api/v1/account/security");

describe("GET /api/v1/account/sessions", () => {
  it("lists the account's live sessions and marks the current one", async () => {
    const client = new ApiClient();
    const { accountId, sessionId } = await seedAccount({ client });
    const other = await seedSession(accountId);
    const r = await listSessions(client);
    expect(r.status).toBe(200);
    expect(r.body.sessions.map((s) => [s.id, s.current]).sort()).toEqual(
      [
        [sessionId, true],
        [other.sessionId, false],
      ].sort(),
    );
  });

  it("leaves out revoked and expired sessions", async () => {
    const { clock, client } = clockedApp();
    const c = client();
    const { accountId, sessionId } = await seedAccount({ client: c, now: clock.now });
    const revoked = await seedSession(accountId, { now: clock.now });
    await c.json("DELETE", `/api/v1/account/sessions/${revoked.sessionId}`);
    const expired = await seedSession(accountId, { now: clock.now - 31 * 24 * 60 * MINUTE });
    const r = await listSessions(c);
    expect(r.body.sessions.map((s) => s.id)).toEqual([sessionId]);
    expect((await sessionsOf(accountId)).map((s) => s.id)).toContain(expired.sessionId);
  });

  it("answers without a session with 401 UNAUTHENTICATED", async () => {
    expectError(await listSessions(new ApiClient()), 401, "UNAUTHENTICATED");
  });

  it("answers a malformed or unknown bearer token with 401 UNAUTHENTICATED", async () => {
    const garbage = new ApiClient();
    garbage.token = "not a token";
    expectError(await security(garbage), 401, "UNAUTHENTICATED");
    const unknown = new ApiClient();
    unknown.token = "A".repeat(43);
    expectError(await security(unknown), 401, "UNAUTHENTICATED");
  });
});

describe("DELETE /api/v1/account/sessions/:id", () => {
  it("revokes another session: 204, revoked_at set, and that session stops working", async () => {
    const client = new ApiClient();
    const { accountId } = await seedAccount({ client });
    const otherDevice = new ApiClient();
    const other = await seedSession(accountId, { client: otherDevice });
    expect((await security(otherDevice)).status).toBe(200);

    const r = await client.call("DELETE", `/api/v1/account/sessions/${other.sessionId}`);
    expect(r.status).toBe(204);
    expect((await sessionByToken(other.token))?.revoked_at).not.toBeNull();
    expectError(await security(otherDevice), 401, "UNAUTHENTICATED");
    expect((await security(client)).status).toBe(200);
  });

  it("answers an unknown id with 404 SESSION_NOT_FOUND", async () => {
    const client = new ApiClient();
    await seedAccount({ client });
    expectError(await client.json("DELETE", "/api/v1/account/sessions/no-such-session"), 404, "SESSION_NOT_FOUND");
  });

  it("answers another account's session with 404 SESSION_NOT_FOUND and leaves it working", async () => {
    const attacker = new ApiClient();
    await seedAccount({ client: attacker });
    const victim = new ApiClient();
    const { sessionId } = await seedAccount({ client: victim });
    expectError(await attacker.json("DELETE", `/api/v1/account/sessions/${sessionId}`), 404, "SESSION_NOT_FOUND");
    expect((await security(victim)).status).toBe(200);
  });
});

describe("POST /auth/logout", () => {
  it("answers 204, revokes the session and the token is dead afterwards", async () => {
    const client = new ApiClient();
    const { token } = await seedAccount({ client });
    const r = await client.call("POST", "/auth/logout");
    expect(r.status).toBe(204);
    expect((await sessionByToken(token))?.revoked_at).not.toBeNull();
    expectError(await security(client), 401, "UNAUTHENTICATED");
  });

  it("clears the session cookie of a browser", async () => {
    const browser = new ApiClient(undefined, undefined, { cookies: true });
    const { token } = await seedAccount();
    browser.jar!.set(SESSION_COOKIE, token);
    const r = await browser.call("POST", "/auth/logout", undefined, { Origin: "https://mfa.test" });
    expect(r.status).toBe(204);
    const cleared = setCookie(r, SESSION_COOKIE);
    expect(cleared && isDeletion(cleared)).toBe(true);
    expect(cleared?.attributes.get("path")).toBe("/");
    expect((await sessionByToken(token))?.revoked_at).not.toBeNull();
  });
});

describe("MFA completion", () => {
  it("issues a new session id and token; an earlier aal-1 session of the browser is not elevated", async () => {
    const owner = new ApiClient();
    const { email, secret, accountId } = await enrolledAccount(owner);
    // A browser that still carries an aal-1 session (e.g. from before MFA was turned on).
    const browser = new ApiClient(undefined, undefined, { cookies: true });
    const old = await seedSession(accountId, { aal: 1 });
    browser.jar!.set(SESSION_COOKIE, old.token);
    const idsBefore = (await sessionsOf(accountId)).map((s) => s.id);

    const first = await browser.json("POST", "/auth/password", { email, password: "correct horse battery staple" });
    expect(first.body.mfa_required).toBe(true);
    const r = await browser.json("POST", "/auth/password/mfa", { otp: codeAt(secret, Date.now() + 30_000) });
    expect(r.status).toBe(200);

    const newToken = browser.jar!.get(SESSION_COOKIE)!;
    expect(newToken).not.toBe(old.token);
    const fresh = await sessionByToken(newToken);
    expect(fresh?.aal).toBe(2);
    expect(idsBefore).not.toContain(fresh!.id);
    expect((await sessionByToken(old.token))?.aal).toBe(1);
  });
});

describe("aal-2 session lifetime", () => {
  it("ends after 30 minutes without use", async () => {
    const { clock, client } = clockedApp();
    const { accountId, secret } = await enrolledAccount(client(), { now: clock.now });
    clock.advance(30_000);
    const c = client();
    const otp = codeAt(secret, clock.now);
    expect((await completeWithCode(c, accountId, { otp }, { now: clock.now })).status).toBe(200);
    clock.advance(29 * MINUTE);
    expect((await security(c)).status).toBe(200);
    clock.advance(30 * MINUTE);
    expectError(await security(c), 401, "UNAUTHENTICATED");
  });

  it("ends 12 hours after sign-in even when used every 25 minutes", async () => {
    const { clock, client } = clockedApp();
    const { accountId, secret } = await enrolledAccount(client(), { now: clock.now });
    clock.advance(30_000);
    const c = client();
    const otp = codeAt(secret, clock.now);
    expect((await completeWithCode(c, accountId, { otp }, { now: clock.now })).status).toBe(200);
    const signedInAt = clock.now;
    while (clock.now + 25 * MINUTE < signedInAt + 12 * 60 * MINUTE) {
      clock.advance(25 * MINUTE);
      expect((await security(c)).status, `at ${(clock.now - signedInAt) / MINUTE} min`).toBe(200);
    }
    clock.now = signedInAt + 12 * 60 * MINUTE;
    expectError(await security(c), 401, "UNAUTHENTICATED");
  });

  it("does not apply the idle limit to aal-1 sessions", async () => {
    const { clock, client } = clockedApp();
    const c = client();
    await seedAccount({ client: c, now: clock.now });
    clock.advance(24 * 60 * MINUTE);
    expect((await security(c)).status).toBe(200);
  });
});
