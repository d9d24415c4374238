/**
 * Recovery codes: ten 80-bit codes shown once, accepted in any case with or without dashes,
 * each spent once, all replaced by POST /api/v1/account/mfa/recovery-codes.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import { credentialsOf, eventTypesOf, recoveryCodesOf, sessionByToken, stepOf } from "../helpers/db";
import { expectError } from "../helpers/expect";
import { completeWithCode, enrolledAccount } from "../helpers/flows";
import { seedAccount, seedChallenge } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

// Crockford's base32 without I, L, O, U; four groups of four = 16 symbols × 5 bits = 80 bits.
const CODE_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

/** The second step of a sign-in with a recovery code (the challenge stored as the gate stores it). */
const signInWithRecoveryCode = (accountId: string, recovery_code: string, client = new ApiClient()) =>
  completeWithCode(client, accountId, { recovery_code });

const remaining = async (client: ApiClient) =>
  (await client.json<{ recovery_codes_remaining: number }>("GET", "/api/v1/account/security")).body
    .recovery_codes_remaining;

describe("the codes issued at enrollment", () => {
  it("are 10 distinct codes shaped XXXX-XXXX-XXXX-XXXX from an unambiguous alphabet", async () => {
    const { recoveryCodes } = await enrolledAccount(new ApiClient());
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes) expect(code).toMatch(CODE_FORMAT);
    expect(new Set(recoveryCodes).size).toBe(10);
  });

  it("are stored as 10 unused keyed hashes, none equal to a code", async () => {
    const { recoveryCodes, accountId } = await enrolledAccount(new ApiClient());
    const rows = await recoveryCodesOf(accountId);
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.used_at).toBeNull();
      expect(recoveryCodes).not.toContain(row.code_hash);
    }
  });
});

describe("signing in with a recovery code", () => {
  it("completes with an aal-2 session and marks the code used by that session", async () => {
    const { recoveryCodes, accountId } = await enrolledAccount(new ApiClient());
    const client = new ApiClient();
    const r = await signInWithRecoveryCode(accountId, recoveryCodes[0]!, client);
    expect(r.status).toBe(200);
    const session = await sessionByToken(client.token!);
    expect(session).toMatchObject({ account_id: accountId, aal: 2 });
    const used = (await recoveryCodesOf(accountId)).filter((c) => c.used_at !== null);
    expect(used).toHaveLength(1);
    expect(used[0]?.used_by).toBe(session!.id);
    expect(await eventTypesOf(accountId)).toContain("recovery_code_used");
  });

  it("refuses the same code a second time with 401 MFA_OTP_INVALID", async () => {
    const { recoveryCodes, accountId } = await enrolledAccount(new ApiClient());
    expect((await signInWithRecoveryCode(accountId, recoveryCodes[1]!)).status).toBe(200);
    const again = await signInWithRecoveryCode(accountId, recoveryCodes[1]!);
    expectError(again, 401, "MFA_OTP_INVALID");
    expect((await recoveryCodesOf(accountId)).filter((c) => c.used_at !== null)).toHaveLength(1);
  });

  it("accepts a code typed in lower case", async () => {
    const { recoveryCodes, accountId } = await enrolledAccount(new ApiClient());
    expect((await signInWithRecoveryCode(accountId, recoveryCodes[2]!.toLowerCase())).status).toBe(200);
  });

  it("accepts a code without dashes", async () => {
    const { recoveryCodes, accountId } = await enrolledAccount(new ApiClient());
    expect((await signInWithRecoveryCode(accountId, recoveryCodes[3]!.replace(/-/g, ""))).status).toBe(200);
  });

  it("accepts a code with spaces instead of dashes", async () => {
    const { recoveryCodes, accountId } = await enrolledAccount(new ApiClient());
    expect((await signInWithRecoveryCode(accountId, recoveryCodes[4]!.replace(/-/g, " "))).status).toBe(200);
  });

  it("refuses a well-formed code that was never issued with 401 MFA_OTP_INVALID", async () => {
    const { accountId } = await enrolledAccount(new ApiClient());
    expectError(await signInWithRecoveryCode(accountId, "2345-6789-ABCD-EFGH"), 401, "MFA_OTP_INVALID");
    expect((await recoveryCodesOf(accountId)).filter((c) => c.used_at !== null)).toEqual([]);
  });

  it("refuses something that cannot be a code with 400 VALIDATION_FAILED", async () => {
    const { accountId } = await enrolledAccount(new ApiClient());
    expectError(await signInWithRecoveryCode(accountId, "not-a-code"), 400, "VALIDATION_FAILED");
  });

  it("is counted in GET /api/v1/account/security: recovery_codes_remaining goes from 10 to 9", async () => {
    const owner = new ApiClient();
    const { accountId, recoveryCodes } = await enrolledAccount(owner);
    expect(await remaining(owner)).toBe(10);
    expect((await signInWithRecoveryCode(accountId, recoveryCodes[5]!)).status).toBe(200);
    expect(await remaining(owner)).toBe(9);
  });

  it("shows recovery_codes_remaining 0 for an account without MFA", async () => {
    const client = new ApiClient();
    await seedAccount({ client });
    expect(await remaining(client)).toBe(0);
  });
});

describe("POST /api/v1/account/mfa/recovery-codes", () => {
  it("returns 10 new codes with a current code, and every old code dies", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { secret, recoveryCodes: old, accountId } = await enrolledAccount(owner, { now: clock.now });
    const oldIds = (await recoveryCodesOf(accountId)).map((c) => c.id);
    clock.advance(30_000);
    const r = await owner.json<{ recovery_codes: string[] }>("POST", "/api/v1/account/mfa/recovery-codes", {
      otp: codeAt(secret, clock.now),
    });
    expect(r.status).toBe(200);
    expect(r.body.recovery_codes).toHaveLength(10);
    for (const code of r.body.recovery_codes) expect(old).not.toContain(code);
    const rows = await recoveryCodesOf(accountId);
    expect(rows).toHaveLength(10);
    expect(rows.filter((row) => oldIds.includes(row.id))).toEqual([]);
    expect(await eventTypesOf(accountId)).toContain("recovery_codes_regenerated");

    const c = client();
    await seedChallenge(accountId, { client: c, now: clock.now });
    expectError(await c.mfa({ recovery_code: old[0]! }), 401, "MFA_OTP_INVALID");
    expect((await c.mfa({ recovery_code: r.body.recovery_codes[0]! })).status).toBe(200);
  });

  it("refuses a wrong code with 401 MFA_OTP_INVALID and keeps the old codes", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { secret, accountId } = await enrolledAccount(owner, { now: clock.now });
    const before = await recoveryCodesOf(accountId);
    const r = await owner.json("POST", "/api/v1/account/mfa/recovery-codes", { otp: wrongCodeAt(secret, clock.now) });
    expectError(r, 401, "MFA_OTP_INVALID");
    expect(await recoveryCodesOf(accountId)).toEqual(before);
  });

  it("burns its code: the same code cannot then sign in", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { secret, accountId } = await enrolledAccount(owner, { now: clock.now });
    clock.advance(30_000);
    const otp = codeAt(secret, clock.now);
    expect((await owner.json("POST", "/api/v1/account/mfa/recovery-codes", { otp })).status).toBe(200);
    expect((await credentialsOf(accountId))[0]?.last_used_step).toBe(stepOf(clock.now));
    expectError(await completeWithCode(client(), accountId, { otp }, { now: clock.now }), 401, "MFA_OTP_INVALID");
  });

  it("answers 404 MFA_NOT_ENABLED for an account without MFA", async () => {
    const client = new ApiClient();
    await seedAccount({ client });
    const r = await client.json("POST", "/api/v1/account/mfa/recovery-codes", { otp: "123456" });
    expectError(r, 404, "MFA_NOT_ENABLED");
  });
});
