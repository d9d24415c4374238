/**
 * Enrollment: a server-side pending secret (GET), confirmed by a current code (PUT) that is then
 * burned; a pending secret never gates sign-in, and a confirmed one keeps working until a new
 * one is confirmed.
 */
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import {
  challengesOf,
  credentialsOf,
  enrollmentsOf,
  eventTypesOf,
  recoveryCodesOf,
  sessionByToken,
  stepOf,
} from "../helpers/db";
import { expectError } from "../helpers/expect";
import { completeWithCode, enrolledAccount } from "../helpers/flows";
import { seedAccount, seedSession } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

interface Pending {
  mfa: { qr: string; secret: string; uri: string; remaining: number; expires_at: string };
}

const startEnrollment = (client: ApiClient) => client.json<Pending>("GET", "/api/v1/account/mfa");

describe("GET /api/v1/account/mfa", () => {
  it("creates a 10-minute pending enrollment, stored encrypted, and enables nothing yet", async () => {
    const { clock, client } = clockedApp();
    const c = client();
    const { accountId, email } = await seedAccount({ client: c, now: clock.now });
    const r = await startEnrollment(c);
    expect(r.status).toBe(200);
    expect(r.body.mfa.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(r.body.mfa.qr).toMatch(/^data:image\/svg\+xml/);
    expect(r.body.mfa.uri).toContain(`secret=${r.body.mfa.secret}`);
    expect(r.body.mfa.uri).toContain(encodeURIComponent(email));
    expect(r.body.mfa.remaining).toBe(600);
    expect(r.body.mfa.expires_at).toBe(new Date(clock.now + 600_000).toISOString());
    const [pending] = await enrollmentsOf(accountId);
    expect(pending).toMatchObject({ expires_at: clock.now + 600_000, key_id: "k1" });
    expect(pending!.ciphertext).not.toContain(r.body.mfa.secret);
    expect(await credentialsOf(accountId)).toEqual([]);
  });

  it("replaces an earlier pending enrollment: one row, a new secret, the old one unconfirmable", async () => {
    const c = new ApiClient();
    const { accountId } = await seedAccount({ client: c });
    const first = await startEnrollment(c);
    const second = await startEnrollment(c);
    expect(second.body.mfa.secret).not.toBe(first.body.mfa.secret);
    expect(await enrollmentsOf(accountId)).toHaveLength(1);
    const r = await c.json("PUT", "/api/v1/account/mfa", { token: codeAt(first.body.mfa.secret, Date.now()) });
    expectError(r, 401, "MFA_OTP_INVALID");
    expect(await credentialsOf(accountId)).toEqual([]);
  });

  it("needs an aal-2 session when MFA is on: 403 MFA_STEP_UP_REQUIRED and no pending row", async () => {
    const owner = new ApiClient();
    const { accountId } = await enrolledAccount(owner);
    const otherDevice = new ApiClient();
    await seedSession(accountId, { client: otherDevice, aal: 1 });
    const r = await startEnrollment(otherDevice);
    expectError(r, 403, "MFA_STEP_UP_REQUIRED");
    expect(await enrollmentsOf(accountId)).toEqual([]);
  });

  it("answers without a session with 401 UNAUTHENTICATED", async () => {
    expectError(await startEnrollment(new ApiClient()), 401, "UNAUTHENTICATED");
  });
});

describe("an unconfirmed secret", () => {
  it("never gates sign-in: the password alone still gives a session and no challenge", async () => {
    const c = new ApiClient();
    const { email, accountId } = await seedAccount({ client: c });
    expect((await startEnrollment(c)).status).toBe(200);
    const r = await new ApiClient().signIn(email);
    expect(r.status).toBe(200);
    expect(r.body.mfa_required).toBeUndefined();
    expect(r.body.redirect_to).toBe("/account");
    expect(await challengesOf(accountId)).toEqual([]);
    expect(await credentialsOf(accountId)).toEqual([]);
  });
});

describe("PUT /api/v1/account/mfa", () => {
  it("confirms with a current code: 10 recovery codes once, a credential, an aal-2 session", async () => {
    const c = new ApiClient();
    const { accountId, sessionId } = await seedAccount({ client: c });
    const { secret } = (await startEnrollment(c)).body.mfa;
    const r = await c.json<{ recovery_codes: string[] }>("PUT", "/api/v1/account/mfa", {
      token: codeAt(secret, Date.now()),
      secret,
    });
    expect(r.status).toBe(200);
    expect(r.body.recovery_codes).toHaveLength(10);
    const [credential] = await credentialsOf(accountId);
    expect(credential).toMatchObject({ key_id: "k1" });
    expect(await enrollmentsOf(accountId)).toEqual([]);
    expect(await recoveryCodesOf(accountId)).toHaveLength(10);
    expect(await sessionByToken(c.token!)).toMatchObject({ id: sessionId, aal: 2 });
    expect(await eventTypesOf(accountId)).toContain("mfa_enabled");
  });

  it("burns the confirming code: it cannot then sign in, and last_used_step is its step", async () => {
    const { clock, client } = clockedApp();
    const { secret, accountId } = await enrolledAccount(client(), { now: clock.now });
    expect((await credentialsOf(accountId))[0]?.last_used_step).toBe(stepOf(clock.now));
    const r = await completeWithCode(client(), accountId, { otp: codeAt(secret, clock.now) }, { now: clock.now });
    expectError(r, 401, "MFA_OTP_INVALID");
  });

  it("confirms without `secret` against the server's pending secret", async () => {
    const c = new ApiClient();
    const { accountId } = await seedAccount({ client: c });
    const { secret } = (await startEnrollment(c)).body.mfa;
    const r = await c.json("PUT", "/api/v1/account/mfa", { token: codeAt(secret, Date.now()) });
    expect(r.status).toBe(200);
    expect(await credentialsOf(accountId)).toHaveLength(1);
  });

  it("refuses a `secret` that differs from the pending one with 409 MFA_SECRET_MISMATCH", async () => {
    const c = new ApiClient();
    const { accountId } = await seedAccount({ client: c });
    await startEnrollment(c);
    const own = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const r = await c.json("PUT", "/api/v1/account/mfa", { token: codeAt(own, Date.now()), secret: own });
    expectError(r, 409, "MFA_SECRET_MISMATCH");
    expect(await credentialsOf(accountId)).toEqual([]);
    expect(await enrollmentsOf(accountId)).toHaveLength(1);
  });

  it("refuses a wrong code with 401 MFA_OTP_INVALID and keeps the enrollment pending", async () => {
    const c = new ApiClient();
    const { accountId } = await seedAccount({ client: c });
    const { secret } = (await startEnrollment(c)).body.mfa;
    const r = await c.json("PUT", "/api/v1/account/mfa", { token: wrongCodeAt(secret, Date.now()), secret });
    expectError(r, 401, "MFA_OTP_INVALID");
    expect(await credentialsOf(accountId)).toEqual([]);
    expect(await enrollmentsOf(accountId)).toHaveLength(1);
    expect((await sessionByToken(c.token!))?.aal).toBe(1);
  });

  it("refuses a code that is not six digits with 400 VALIDATION_FAILED", async () => {
    const c = new ApiClient();
    await seedAccount({ client: c });
    await startEnrollment(c);
    expectError(await c.json("PUT", "/api/v1/account/mfa", { token: "12345" }), 400, "VALIDATION_FAILED");
  });

  it("answers 404 MFA_ENROLLMENT_NOT_FOUND when nothing is pending", async () => {
    const c = new ApiClient();
    await seedAccount({ client: c });
    const r = await c.json("PUT", "/api/v1/account/mfa", { token: "123456" });
    expectError(r, 404, "MFA_ENROLLMENT_NOT_FOUND");
  });

  it("answers 404 MFA_ENROLLMENT_NOT_FOUND once the pending enrollment is 10 minutes old", async () => {
    const { clock, client } = clockedApp();
    const c = client();
    const { accountId } = await seedAccount({ client: c, now: clock.now });
    const { secret } = (await startEnrollment(c)).body.mfa;
    clock.advance(10 * 60 * 1000);
    const r = await c.json("PUT", "/api/v1/account/mfa", { token: codeAt(secret, clock.now), secret });
    expectError(r, 404, "MFA_ENROLLMENT_NOT_FOUND");
    expect(await credentialsOf(accountId)).toEqual([]);
  });

  it("needs an aal-2 session to replace a working authenticator: 403 MFA_STEP_UP_REQUIRED", async () => {
    const owner = new ApiClient();
    const { accountId } = await enrolledAccount(owner);
    const [before] = await credentialsOf(accountId);
    const { secret } = (await startEnrollment(owner)).body.mfa;
    const otherDevice = new ApiClient();
    await seedSession(accountId, { client: otherDevice, aal: 1 });
    const r = await otherDevice.json("PUT", "/api/v1/account/mfa", { token: codeAt(secret, Date.now()), secret });
    expectError(r, 403, "MFA_STEP_UP_REQUIRED");
    expect(await credentialsOf(accountId)).toEqual([before]);
  });

  it("creates one credential and one set of 10 recovery codes from 20 concurrent confirmations", async () => {
    const c = new ApiClient();
    const { accountId } = await seedAccount({ client: c });
    const { secret } = (await startEnrollment(c)).body.mfa;
    const token = codeAt(secret, Date.now());
    const results = await Promise.all(
      Array.from({ length: 20 }, () => c.json("PUT", "/api/v1/account/mfa", { token, secret })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(await credentialsOf(accountId)).toHaveLength(1);
    expect(await recoveryCodesOf(accountId)).toHaveLength(10);
    expect(await enrollmentsOf(accountId)).toEqual([]);
  });
});

describe("re-enrolling", () => {
  it("keeps the confirmed secret signing in until the new one is confirmed", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { secret: oldSecret, accountId } = await enrolledAccount(owner, { now: clock.now });
    const [credential] = await credentialsOf(accountId);
    const { secret: newSecret } = (await startEnrollment(owner)).body.mfa;
    clock.advance(30_000);
    const secondStep = (secret: string) =>
      completeWithCode(client(), accountId, { otp: codeAt(secret, clock.now) }, { now: clock.now });

    expectError(await secondStep(newSecret), 401, "MFA_OTP_INVALID");
    expect((await secondStep(oldSecret)).status).toBe(200);
    expect(await credentialsOf(accountId)).toEqual([{ ...credential!, last_used_step: stepOf(clock.now) }]);
  });

  it("replaces the credential and every recovery code once the new secret is confirmed", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { secret: oldSecret, recoveryCodes: oldCodes, accountId } = await enrolledAccount(owner, { now: clock.now });
    const [oldCredential] = await credentialsOf(accountId);
    clock.advance(30_000);
    const { secret: newSecret, recoveryCodes: newCodes } = await owner.enroll(clock.now);
    expect(newSecret).not.toBe(oldSecret);
    const [newCredential] = await credentialsOf(accountId);
    expect(newCredential?.id).not.toBe(oldCredential?.id);
    expect(await recoveryCodesOf(accountId)).toHaveLength(10);

    clock.advance(30_000);
    const secondStep = (code: { otp: string } | { recovery_code: string }) =>
      completeWithCode(client(), accountId, code, { now: clock.now });
    expectError(await secondStep({ otp: codeAt(oldSecret, clock.now) }), 401, "MFA_OTP_INVALID");
    expectError(await secondStep({ recovery_code: oldCodes[0]! }), 401, "MFA_OTP_INVALID");
    expect((await secondStep({ recovery_code: newCodes[0]! })).status).toBe(200);
    expect((await secondStep({ otp: codeAt(newSecret, clock.now) })).status).toBe(200);
  });
});

describe("turning MFA on ends the other sessions", () => {
  it("revokes every other session of the account and keeps the confirming one (now aal 2)", async () => {
    const owner = new ApiClient();
    const { email } = await owner.signUp();
    const other = new ApiClient();
    const signedIn = await other.signIn(email);
    expect(signedIn.status).toBe(200);
    expect((await other.json("GET", "/api/v1/account/security")).status).toBe(200);

    await owner.enroll();

    expect((await other.json("GET", "/api/v1/account/security")).status).toBe(401);
    const mine = await owner.json<{ sessions: { current: boolean; aal: number }[] }>("GET", "/api/v1/account/security");
    expect(mine.status).toBe(200);
    expect(mine.body.sessions).toHaveLength(1);
    expect(mine.body.sessions[0]).toMatchObject({ current: true, aal: 2 });
  });
});

describe("adding a first authenticator needs a recent sign-in", () => {
  it("refuses an aal-1 session older than 15 min with 403 REAUTHENTICATION_REQUIRED and stores nothing", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    await owner.signUp();
    const pendingRows = async () =>
      (await env.DB.prepare("SELECT count(*) AS n FROM mfa_enrollments").first<{ n: number }>())?.n ?? 0;
    const before = await pendingRows();
    clock.advance(15 * 60_000 + 1_000);
    expectError(await owner.json("GET", "/api/v1/account/mfa"), 403, "REAUTHENTICATION_REQUIRED");
    expect(await pendingRows()).toBe(before);
  });

  it("lets the same person enroll again after signing in afresh", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { email } = await owner.signUp();
    clock.advance(20 * 60_000);
    expectError(await owner.json("GET", "/api/v1/account/mfa"), 403, "REAUTHENTICATION_REQUIRED");
    const fresh = client();
    expect((await fresh.signIn(email)).status).toBe(200);
    expect((await fresh.json("GET", "/api/v1/account/mfa")).status).toBe(200);
  });
});
