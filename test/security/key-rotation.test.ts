/**
 * Versioned encryption keys (`MFA_ENCRYPTION_KEYS="k2:…,k1:…"`): old rows keep verifying, are
 * re-encrypted under the first key on their next successful use, and without a valid key the
 * MFA operations fail closed with 503 SERVER_MISCONFIGURED and write nothing.
 */
import { env } from "cloudflare:workers";
import { base64 } from "@scure/base";
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import { type ClockedApp, clockedApp } from "../helpers/clock";
import { challengeByToken, credentialsOf, enrollmentsOf, rowCounts, sessionByToken } from "../helpers/db";
import { expectError } from "../helpers/expect";
import { completeWithCode, enrolledAccount } from "../helpers/flows";
import { seedAccount, seedChallenge } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

const K1 = env.MFA_ENCRYPTION_KEYS!;
const K2 = `k2:${base64.encode(crypto.getRandomValues(new Uint8Array(32)))}`;
const ROTATED = { MFA_ENCRYPTION_KEYS: `${K2},${K1}` };
const K2_ONLY = { MFA_ENCRYPTION_KEYS: K2 };

/** A client of the same app (same clock) seeing other bindings. */
const clientWith = (app: ClockedApp, overrides: Partial<Cloudflare.Env>) => new ApiClient(app.withEnv(overrides));

/** The second step (a challenge stored as the gate stores it) through `client`'s bindings. */
const secondStep = (
  app: ClockedApp,
  client: ApiClient,
  accountId: string,
  code: { otp: string } | { recovery_code: string },
) => completeWithCode(client, accountId, code, { now: app.clock.now });

describe("after k2 is prepended", () => {
  it("a credential sealed under k1 still verifies a code", async () => {
    const app = clockedApp();
    const { secret, accountId } = await enrolledAccount(app.client(), { now: app.clock.now });
    expect((await credentialsOf(accountId))[0]?.key_id).toBe("k1");
    app.clock.advance(30_000);
    const r = await secondStep(app, clientWith(app, ROTATED), accountId, { otp: codeAt(secret, app.clock.now) });
    expect(r.status).toBe(200);
  });

  it("the credential is re-encrypted under k2 by its next successful sign-in", async () => {
    const app = clockedApp();
    const { secret, accountId } = await enrolledAccount(app.client(), { now: app.clock.now });
    const [before] = await credentialsOf(accountId);
    app.clock.advance(30_000);
    await secondStep(app, clientWith(app, ROTATED), accountId, { otp: codeAt(secret, app.clock.now) });
    const [after] = await credentialsOf(accountId);
    expect(after?.id).toBe(before?.id);
    expect(after?.key_id).toBe("k2");
    expect(after?.ciphertext).not.toBe(before?.ciphertext);
  });

  it("a failed attempt does not re-encrypt", async () => {
    const app = clockedApp();
    const { secret, accountId } = await enrolledAccount(app.client(), { now: app.clock.now });
    const [before] = await credentialsOf(accountId);
    const r = await secondStep(app, clientWith(app, ROTATED), accountId, { otp: wrongCodeAt(secret, app.clock.now) });
    expectError(r, 401, "MFA_OTP_INVALID");
    expect(await credentialsOf(accountId)).toEqual([before]);
  });

  it("k1 can be dropped once the row is under k2: k2 alone signs in", async () => {
    const app = clockedApp();
    const { secret, accountId } = await enrolledAccount(app.client(), { now: app.clock.now });
    app.clock.advance(30_000);
    await secondStep(app, clientWith(app, ROTATED), accountId, { otp: codeAt(secret, app.clock.now) });
    app.clock.advance(30_000);
    const r = await secondStep(app, clientWith(app, K2_ONLY), accountId, { otp: codeAt(secret, app.clock.now) });
    expect(r.status).toBe(200);
  });

  it("k2 alone cannot open a row still under k1: 503 SERVER_MISCONFIGURED, no session", async () => {
    const app = clockedApp();
    const { secret, accountId } = await enrolledAccount(app.client(), { now: app.clock.now });
    app.clock.advance(30_000);
    const client = clientWith(app, K2_ONLY);
    const r = await secondStep(app, client, accountId, { otp: codeAt(secret, app.clock.now) });
    expectError(r, 503, "SERVER_MISCONFIGURED");
    expect((await challengeByToken(client.challenge!))?.consumed_at).toBeNull();
    expect((await credentialsOf(accountId))[0]?.key_id).toBe("k1");
  });

  it("recovery codes hashed under k1 are still accepted", async () => {
    const app = clockedApp();
    const { recoveryCodes, accountId } = await enrolledAccount(app.client(), { now: app.clock.now });
    const client = clientWith(app, ROTATED);
    expect((await secondStep(app, client, accountId, { recovery_code: recoveryCodes[0]! })).status).toBe(200);
  });

  it("a pending setup sealed under k1 can be confirmed, and new setups are sealed under k2", async () => {
    const app = clockedApp();
    const c = app.client();
    const { accountId } = await seedAccount({ client: c, now: app.clock.now });
    const { secret } = (await c.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa")).body.mfa;
    const rotated = clientWith(app, ROTATED);
    rotated.token = c.token;
    const confirm = await rotated.json("PUT", "/api/v1/account/mfa", { token: codeAt(secret, app.clock.now) });
    expect(confirm.status).toBe(200);
    expect((await rotated.json("GET", "/api/v1/account/mfa")).status).toBe(200);
    expect((await enrollmentsOf(accountId))[0]?.key_id).toBe("k2");
  });
});

describe("without a valid key", () => {
  it("GET /api/v1/account/mfa answers 503 SERVER_MISCONFIGURED and writes no row", async () => {
    const app = clockedApp();
    const { token } = await seedAccount({ now: app.clock.now });
    const client = clientWith(app, { MFA_ENCRYPTION_KEYS: undefined });
    client.token = token;
    const before = await rowCounts();
    expectError(await client.json("GET", "/api/v1/account/mfa"), 503, "SERVER_MISCONFIGURED");
    expect(await rowCounts()).toEqual(before);
  });

  it("POST /auth/password/mfa answers 503 SERVER_MISCONFIGURED, writes no row, and the challenge survives", async () => {
    const app = clockedApp();
    const { secret, accountId } = await enrolledAccount(app.client(), { now: app.clock.now });
    const pending = app.client();
    await seedChallenge(accountId, { client: pending, now: app.clock.now });
    app.clock.advance(30_000);
    const code = codeAt(secret, app.clock.now);
    const client = clientWith(app, { MFA_ENCRYPTION_KEYS: undefined });
    client.challenge = pending.challenge;
    const before = await rowCounts();
    expectError(await client.mfa({ otp: code }), 503, "SERVER_MISCONFIGURED");
    expect(await rowCounts()).toEqual(before);
    expect((await challengeByToken(pending.challenge!))?.consumed_at).toBeNull();
    // The code was not burned: with the key back, it still signs in.
    expect((await pending.mfa({ otp: code })).status).toBe(200);
    expect((await sessionByToken(pending.token!))?.account_id).toBe(accountId);
  });

  it("treats a malformed key as no key: 503 SERVER_MISCONFIGURED", async () => {
    const app = clockedApp();
    const { token } = await seedAccount({ now: app.clock.now });
    for (const bad of ["", "k1", "k1:dG9vIHNob3J0", `k1:${"!".repeat(44)}`, `${K1},${K1}`]) {
      const client = clientWith(app, { MFA_ENCRYPTION_KEYS: bad });
      client.token = token;
      expectError(await client.json("GET", "/api/v1/account/mfa"), 503, "SERVER_MISCONFIGURED");
    }
  });
});
