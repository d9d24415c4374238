/**
 * `POST /auth/:strategy/mfa`: the code and the challenge (from the body or the cookie), what a
 * success stores, every refusal, and the form-post answers Novel's pages expect.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient, PASSWORD } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import { isDeletion, setCookie } from "../helpers/cookies";
import {
  challengeByToken,
  credentialsOf,
  eventTypesOf,
  recoveryCodesOf,
  sessionByToken,
  sessionsOf,
  stepOf,
} from "../helpers/db";
import { CHALLENGE_COOKIE, expectError, expectSessionCookie, SESSION_COOKIE } from "../helpers/expect";
import { enrolledAccount } from "../helpers/flows";
import { seedChallenge } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

const NEXT_STEP = 30_000;

/**
 * An enrolled account and a second client holding a fresh password challenge: from a real
 * password sign-in, or (`seeded`) stored as the gate stores one, to spare the scrypt cost.
 */
async function challenged(options: { cookies?: boolean; seeded?: boolean } = {}) {
  const account = await enrolledAccount(new ApiClient());
  const client = new ApiClient(undefined, undefined, { cookies: options.cookies });
  let challenge: string;
  if (options.seeded) {
    challenge = await seedChallenge(account.accountId);
    if (client.jar) client.jar.set(CHALLENGE_COOKIE, challenge, "/auth");
    else client.challenge = challenge;
  } else {
    const first = await client.signIn(account.email);
    expect(first.body.mfa_required).toBe(true);
    challenge = first.body.challenge!;
  }
  return { ...account, client, challenge };
}

describe("a current code", () => {
  it("completes sign-in: 200, a new aal-2 session, the challenge consumed and the step burned", async () => {
    const { client, challenge, accountId, secret } = await challenged();
    const at = Date.now() + NEXT_STEP;
    const r = await client.mfa({ otp: codeAt(secret, at) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ redirect_to: "/account", token: expect.any(String), expires_at: expect.any(String) });
    const session = await sessionByToken(r.body.token!);
    expect(session).toMatchObject({ account_id: accountId, aal: 2, revoked_at: null });
    expect(session!.expires_at - session!.created_at).toBe(12 * 3600 * 1000);
    expect(await challengeByToken(challenge)).toMatchObject({ session_id: session!.id });
    expect((await challengeByToken(challenge))?.consumed_at).not.toBeNull();
    expect((await credentialsOf(accountId))[0]?.last_used_step).toBe(stepOf(at));
    expect(await eventTypesOf(accountId)).toEqual(expect.arrayContaining(["mfa_verified", "signin"]));
  });

  it("sets the session cookie (HttpOnly, Secure, SameSite=Lax) and clears the challenge cookie", async () => {
    const { client, secret } = await challenged({ seeded: true });
    const r = await client.mfa({ otp: codeAt(secret, Date.now() + NEXT_STEP) });
    expect(r.status).toBe(200);
    expectSessionCookie(r.res, r.body.token);
    const cleared = setCookie(r.res, CHALLENGE_COOKIE);
    expect(cleared && isDeletion(cleared)).toBe(true);
    expect(cleared?.attributes.get("path")).toBe("/auth");
  });

  it("accepts the challenge from the cookie when the body carries none", async () => {
    const { client, secret, accountId } = await challenged({ cookies: true });
    expect(client.jar?.get(CHALLENGE_COOKIE)).toBeDefined();
    const r = await client.json<{ token: string }>("POST", "/auth/password/mfa", {
      otp: codeAt(secret, Date.now() + NEXT_STEP),
    });
    expect(r.status).toBe(200);
    expect(await sessionByToken(client.jar!.get(SESSION_COOKIE)!)).toMatchObject({ account_id: accountId, aal: 2 });
    expect(client.jar?.get(CHALLENGE_COOKIE)).toBeUndefined();
  });

  it("answers a form post with 303 to /account and the session cookie", async () => {
    const { client, secret, accountId } = await challenged({ cookies: true, seeded: true });
    const res = await client.form("/auth/password/mfa", { otp: codeAt(secret, Date.now() + NEXT_STEP) });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account");
    const cookie = expectSessionCookie(res);
    expect(await sessionByToken(cookie.value)).toMatchObject({ account_id: accountId, aal: 2 });
  });
});

describe("a wrong code", () => {
  it("is 401 MFA_OTP_INVALID, issues no session and leaves the challenge open", async () => {
    const { client, challenge, accountId, secret } = await challenged({ seeded: true });
    const sessions = await sessionsOf(accountId);
    const r = await client.mfa({ otp: wrongCodeAt(secret, Date.now()) });
    expectError(r, 401, "MFA_OTP_INVALID");
    expect(setCookie(r.res, SESSION_COOKIE)).toBeUndefined();
    expect(await sessionsOf(accountId)).toEqual(sessions);
    expect(await challengeByToken(challenge)).toMatchObject({ consumed_at: null, session_id: null });
  });

  it("answers a form post with 303 to /login/mfa?strategy=password&error=MFA_OTP_INVALID", async () => {
    const { client, secret, accountId } = await challenged({ cookies: true, seeded: true });
    const sessions = await sessionsOf(accountId);
    const res = await client.form("/auth/password/mfa", { otp: wrongCodeAt(secret, Date.now()) });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/login/mfa?strategy=password&error=MFA_OTP_INVALID");
    expect(setCookie(res, SESSION_COOKIE)).toBeUndefined();
    expect(await sessionsOf(accountId)).toEqual(sessions);
  });
});

describe("an unusable challenge is 401 MFA_CHALLENGE_INVALID", () => {
  it("when there is none, in the body or a cookie", async () => {
    const { secret } = await enrolledAccount(new ApiClient());
    const r = await new ApiClient().json("POST", "/auth/password/mfa", { otp: codeAt(secret, Date.now() + NEXT_STEP) });
    expectError(r, 401, "MFA_CHALLENGE_INVALID");
  });

  it("when the token is unknown", async () => {
    const { client, secret } = await challenged({ seeded: true });
    client.challenge = "A".repeat(43);
    const r = await client.mfa({ otp: codeAt(secret, Date.now() + NEXT_STEP) });
    expectError(r, 401, "MFA_CHALLENGE_INVALID");
  });

  it("when it is older than 5 minutes", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { secret, accountId } = await enrolledAccount(owner, { now: clock.now });
    const c = client();
    await seedChallenge(accountId, { client: c, now: clock.now });
    clock.advance(5 * 60 * 1000);
    const r = await c.mfa({ otp: codeAt(secret, clock.now) });
    expectError(r, 401, "MFA_CHALLENGE_INVALID");
    expect((await sessionsOf(accountId)).filter((s) => s.aal === 2)).toHaveLength(1);
  });

  it("but not shortly before its 5 minutes are up", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { secret, accountId } = await enrolledAccount(owner, { now: clock.now });
    const c = client();
    await seedChallenge(accountId, { client: c, now: clock.now });
    clock.advance(5 * 60 * 1000 - 1000);
    const r = await c.mfa({ otp: codeAt(secret, clock.now) });
    expect(r.status).toBe(200);
  });

  it("when it was already consumed, even with another valid factor", async () => {
    const { client, challenge, accountId, secret, recoveryCodes } = await challenged({ seeded: true });
    expect((await client.mfa({ otp: codeAt(secret, Date.now() + NEXT_STEP) })).status).toBe(200);
    client.challenge = challenge;
    const again = await client.mfa({ recovery_code: recoveryCodes[0]! });
    expectError(again, 401, "MFA_CHALLENGE_INVALID");
    expect((await recoveryCodesOf(accountId)).filter((c) => c.used_at !== null)).toEqual([]);
  });

  it("when it belongs to another strategy, and it stays usable for its own", async () => {
    const { client, challenge, secret } = await challenged({ seeded: true });
    const code = codeAt(secret, Date.now() + NEXT_STEP);
    const wrongPath = await client.mfa({ otp: code }, "link");
    expectError(wrongPath, 401, "MFA_CHALLENGE_INVALID");
    expect(await challengeByToken(challenge)).toMatchObject({ consumed_at: null });
    expect((await client.mfa({ otp: code }, "password")).status).toBe(200);
  });

  it("answering a form post with 303 to /login?error=MFA_CHALLENGE_INVALID", async () => {
    const { secret } = await enrolledAccount(new ApiClient());
    const res = await new ApiClient().form("/auth/password/mfa", { otp: codeAt(secret, Date.now() + NEXT_STEP) });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/login?error=MFA_CHALLENGE_INVALID");
  });
});

describe("malformed requests", () => {
  it("answers an unknown strategy with 404 AUTH_STRATEGY_UNKNOWN", async () => {
    const { client, secret } = await challenged({ seeded: true });
    const r = await client.mfa({ otp: codeAt(secret, Date.now() + NEXT_STEP) }, "carrier-pigeon");
    expectError(r, 404, "AUTH_STRATEGY_UNKNOWN");
  });

  it("refuses a body with both otp and recovery_code with 400 VALIDATION_FAILED", async () => {
    const { client, secret, recoveryCodes, challenge } = await challenged({ seeded: true });
    const r = await client.json("POST", "/auth/password/mfa", {
      otp: codeAt(secret, Date.now() + NEXT_STEP),
      recovery_code: recoveryCodes[0],
      challenge,
    });
    expectError(r, 400, "VALIDATION_FAILED");
    expect(await challengeByToken(challenge)).toMatchObject({ consumed_at: null });
  });

  it("refuses a body with neither otp nor recovery_code with 400 VALIDATION_FAILED", async () => {
    const { client, challenge } = await challenged({ seeded: true });
    const r = await client.json("POST", "/auth/password/mfa", { challenge });
    expectError(r, 400, "VALIDATION_FAILED");
  });

  it("refuses a code that is not six digits with 400 VALIDATION_FAILED", async () => {
    const { client, challenge } = await challenged({ seeded: true });
    const r = await client.json("POST", "/auth/password/mfa", { otp: "12a456", challenge });
    expectError(r, 400, "VALIDATION_FAILED");
  });

  it("refuses malformed JSON with 400 VALIDATION_FAILED", async () => {
    const r = await new ApiClient().json("POST", "/auth/password/mfa", '{"otp": ');
    expectError(r, 400, "VALIDATION_FAILED");
  });

  it("refuses a text/plain body with 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const r = await new ApiClient().json("POST", "/auth/password/mfa", "otp=123456", { "Content-Type": "text/plain" });
    expectError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("refuses a body over 16 KiB with 413 PAYLOAD_TOO_LARGE", async () => {
    const r = await new ApiClient().json("POST", "/auth/password/mfa", { otp: "123456", pad: "x".repeat(16 * 1024) });
    expectError(r, 413, "PAYLOAD_TOO_LARGE");
  });

  it("ignores a password sent along with the code", async () => {
    const { client, secret, challenge } = await challenged({ seeded: true });
    const r = await client.json("POST", "/auth/password/mfa", {
      otp: codeAt(secret, Date.now() + NEXT_STEP),
      challenge,
      password: PASSWORD,
    });
    expect(r.status).toBe(200);
  });
});
