/**
 * Replay protection (RFC 6238 §5.2): a TOTP step is accepted once per credential, sequentially
 * and under concurrency, and a recovery code is spent exactly once.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import { challengesOf, credentialsOf, recoveryCodesOf, sessionsOf, stepOf } from "../helpers/db";
import { expectError } from "../helpers/expect";
import { completeWithCode, enrolledAccount, signInWithCode } from "../helpers/flows";

afterAll(expectNothingInPlaintextAtRest);

/**
 * `n` sign-ins by magic link (no scrypt), each from its own client IP, each holding its own
 * challenge. One after another: each reads the newest link from the outbox.
 */
async function linkChallenges(email: string, n: number): Promise<ApiClient[]> {
  const clients: ApiClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = new ApiClient();
    expect((await c.signInWithLink(email)).body.mfa_required).toBe(true);
    clients.push(c);
  }
  expect(new Set(clients.map((c) => c.challenge)).size).toBe(n);
  return clients;
}

const aal2Sessions = async (accountId: string) => (await sessionsOf(accountId)).filter((s) => s.aal === 2);

describe("sequential reuse", () => {
  it("refuses a code a second time, on a fresh challenge, with 401 MFA_OTP_INVALID", async () => {
    const { clock, client } = clockedApp();
    const { secret, accountId } = await enrolledAccount(client(), { now: clock.now });
    clock.advance(30_000);
    const otp = codeAt(secret, clock.now);
    expect((await completeWithCode(client(), accountId, { otp }, { now: clock.now })).status).toBe(200);
    const before = await aal2Sessions(accountId);

    const r = await completeWithCode(client(), accountId, { otp }, { now: clock.now });
    expectError(r, 401, "MFA_OTP_INVALID");
    expect(await aal2Sessions(accountId)).toEqual(before);
    expect((await credentialsOf(accountId))[0]?.last_used_step).toBe(stepOf(clock.now));
  });

  it("refuses an earlier step once a later one was accepted", async () => {
    const { clock, client } = clockedApp();
    const { secret, accountId } = await enrolledAccount(client(), { now: clock.now });
    clock.advance(60_000);
    const now = clock.now;
    // Both steps are inside the ±1 window now; only the later one may sign in, then nothing older.
    expect((await completeWithCode(client(), accountId, { otp: codeAt(secret, now) }, { now })).status).toBe(200);
    const r = await completeWithCode(client(), accountId, { otp: codeAt(secret, now - 30_000) }, { now });
    expectError(r, 401, "MFA_OTP_INVALID");
  });

  it("accepts the next step after a used one", async () => {
    const { clock, client } = clockedApp();
    const { email, secret, accountId } = await enrolledAccount(client(), { now: clock.now });
    clock.advance(30_000);
    expect((await signInWithCode(client(), email, secret, clock.now)).status).toBe(200);
    clock.advance(30_000);
    expect((await signInWithCode(client(), email, secret, clock.now)).status).toBe(200);
    expect((await credentialsOf(accountId))[0]?.last_used_step).toBe(stepOf(clock.now));
  });
});

describe("concurrent submissions of one valid code", () => {
  it("complete exactly one sign-in when each of 50 comes with its own challenge", async () => {
    const { email, secret, accountId } = await enrolledAccount(new ApiClient());
    const clients = await linkChallenges(email, 50);
    const before = await aal2Sessions(accountId);

    const otp = codeAt(secret, Date.now() + 30_000);
    const results = await Promise.all(clients.map((c) => c.mfa({ otp }, "link")));

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 401, "MFA_OTP_INVALID");
    expect(await aal2Sessions(accountId)).toHaveLength(before.length + 1);
    expect((await challengesOf(accountId)).filter((c) => c.consumed_at !== null)).toHaveLength(1);
  });

  it("complete exactly one sign-in when all 50 share one challenge", async () => {
    const { email, secret, accountId } = await enrolledAccount(new ApiClient());
    const first = new ApiClient();
    await first.signIn(email);
    const before = await aal2Sessions(accountId);

    const otp = codeAt(secret, Date.now() + 30_000);
    const clients = Array.from({ length: 50 }, () => {
      const c = new ApiClient();
      c.challenge = first.challenge;
      return c;
    });
    const results = await Promise.all(clients.map((c) => c.mfa({ otp })));

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(49);
    expect(await aal2Sessions(accountId)).toHaveLength(before.length + 1);
    const [challenge] = await challengesOf(accountId);
    expect(challenge?.consumed_at).not.toBeNull();
  });
});

describe("concurrent use of one recovery code", () => {
  it("succeeds exactly once across several challenges, and the code row records its use", async () => {
    const { email, recoveryCodes, accountId } = await enrolledAccount(new ApiClient());
    const clients = await linkChallenges(email, 10);
    const before = await aal2Sessions(accountId);

    const recovery_code = recoveryCodes[3]!;
    const results = await Promise.all(clients.map((c) => c.mfa({ recovery_code }, "link")));

    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 401, "MFA_OTP_INVALID");
    const after = await aal2Sessions(accountId);
    expect(after).toHaveLength(before.length + 1);
    const used = (await recoveryCodesOf(accountId)).filter((c) => c.used_at !== null);
    expect(used).toHaveLength(1);
    expect(used[0]?.used_by).toBe(after.find((s) => !before.some((b) => b.id === s.id))?.id);
  });
});
