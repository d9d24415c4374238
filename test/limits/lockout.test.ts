/**
 * The per-account second-factor lock over HTTP: exact under a burst, no oracle while locked,
 * unlock by time, the doubling, the NIST ceiling, and every way of offering a code counting.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import authConfig from "../../config/auth";
import type { SecondFactorState } from "../../src/limits/policy";
import { lockSeconds } from "../../src/limits/policy";
import { ApiClient, type Fetcher, freshEmail } from "../helpers/api";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import {
  accountIdOf,
  appFetcher,
  challenged,
  countRows,
  type EnrolledAccount,
  enrolledAccount,
  eventTypes,
  expectError,
  expectTooMany,
  HOUR,
  MINUTE,
  mfaLimiter,
  onChallenge,
  quickChallenged,
  SLOW_TEST_MS,
  sessionCount,
  snapshotOf,
  TestClock,
  validCode,
  withTrustedStrategy,
} from "./fixtures";

const limits = authConfig.limits;
const FIRST_LOCK = limits.secondFactorFirstLockSeconds;

interface Setup extends EnrolledAccount {
  clock: TestClock;
  fetcher: Fetcher;
}

async function setup(): Promise<Setup> {
  const clock = new TestClock();
  const fetcher = appFetcher({ clock: clock.now, strategies: withTrustedStrategy });
  return { ...(await enrolledAccount(fetcher, clock.t)), clock, fetcher };
}

/**
 * Ten wrong codes over two fresh challenges (5 each, the per-challenge cap): the tenth locks.
 * `quick` takes the challenges from the trusted test strategy instead of a password sign-in.
 */
async function failTenTimes(a: Setup, quick = false): Promise<void> {
  const wrong = wrongCodeAt(a.secret, a.clock.t);
  for (let round = 0; round < 2; round++) {
    const client = quick ? await quickChallenged(a.fetcher, a.accountId) : await challenged(a.fetcher, a.email);
    for (let i = 0; i < 5; i++) expectError(await client.mfa({ otp: wrong }), 401, "MFA_OTP_INVALID");
  }
}

async function lockedAccount(): Promise<Setup> {
  const a = await setup();
  await failTenTimes(a);
  return a;
}

const secondFactorState = async (accountId: string) => (await snapshotOf(`mfa:${accountId}`)).secondFactor;

describe("second-factor lock per account", { timeout: SLOW_TEST_MS }, () => {
  it("counts exactly 10 of a burst of 50 wrong codes and answers the other 40 with 429 MFA_LOCKED, losing no increment", async () => {
    const a = await setup();
    const challenges = await Promise.all(Array.from({ length: 10 }, () => challenged(a.fetcher, a.email)));
    const sessionsBefore = await sessionCount(a.accountId);
    const receivedBefore = (await secondFactorState(a.accountId))?.received ?? 0;
    const wrong = wrongCodeAt(a.secret, a.clock.t);

    const answers = await Promise.all(
      challenges.flatMap((c) =>
        Array.from({ length: 5 }, () => onChallenge(a.fetcher, c.challenge!).mfa({ otp: wrong })),
      ),
    );

    const counted = answers.filter((r) => r.status === 401);
    const locked = answers.filter((r) => r.status !== 401);
    expect(counted).toHaveLength(limits.secondFactorFailuresBeforeLock);
    for (const r of counted) expectError(r, 401, "MFA_OTP_INVALID");
    expect(locked).toHaveLength(40);
    for (const r of locked) expectTooMany(r, "MFA_LOCKED", FIRST_LOCK);
    const stored = await runInDurableObject(mfaLimiter(a.accountId), (_, state) =>
      state.storage.kv.get<SecondFactorState>("sf"),
    );
    expect(stored).toEqual({
      received: receivedBefore + 50,
      consecutiveFailures: 10,
      locks: 1,
      lockedUntil: a.clock.t + FIRST_LOCK * 1000,
      disabled: false,
    });
    expect(await sessionCount(a.accountId)).toBe(sessionsBefore);
    expect((await eventTypes(a.accountId)).filter((t) => t === "mfa_locked")).toHaveLength(1);
  });

  it("answers a correct code during the lock with 429 MFA_LOCKED and creates no session", async () => {
    const a = await lockedAccount();
    const client = await challenged(a.fetcher, a.email);
    const sessionsBefore = await sessionCount(a.accountId);
    a.clock.advance(4 * MINUTE);

    const r = await client.mfa(validCode(a.secret, a.clock.t));

    expectTooMany(r, "MFA_LOCKED", FIRST_LOCK - 4 * 60);
    expect(r.body).not.toHaveProperty("token");
    expect(await sessionCount(a.accountId)).toBe(sessionsBefore);
    expect(await secondFactorState(a.accountId)).toMatchObject({ consecutiveFailures: 10, locks: 1 });
  });

  it("keeps the lock until its last second (Retry-After: 1)", async () => {
    const a = await lockedAccount();
    a.clock.advance(FIRST_LOCK * 1000 - 1000);
    const client = await challenged(a.fetcher, a.email);

    expectTooMany(await client.mfa(validCode(a.secret, a.clock.t)), "MFA_LOCKED", 1);
  });

  it("accepts a correct code once the lock has expired and resets the account's counters", async () => {
    const a = await lockedAccount();
    const sessionsBefore = await sessionCount(a.accountId);
    a.clock.advance(FIRST_LOCK * 1000);
    const client = await challenged(a.fetcher, a.email);

    const r = await client.mfa(validCode(a.secret, a.clock.t));

    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await sessionCount(a.accountId)).toBe(sessionsBefore + 1);
    expect(await secondFactorState(a.accountId)).toMatchObject({
      consecutiveFailures: 0,
      locks: 0,
      lockedUntil: 0,
      disabled: false,
    });
  });

  it("records the lock and the unlock as account events, in that order", async () => {
    const a = await lockedAccount();
    a.clock.advance(FIRST_LOCK * 1000);
    const client = await challenged(a.fetcher, a.email);
    expect((await client.mfa(validCode(a.secret, a.clock.t))).status).toBe(200);

    const types = await eventTypes(a.accountId);
    expect(types.filter((t) => t === "mfa_locked" || t === "mfa_unlocked")).toEqual(["mfa_locked", "mfa_unlocked"]);
  });

  it("doubles each further lock from 15 min up to the 24 h cap (Retry-After 900, 1800, … 86400, 86400)", async () => {
    const a = await setup();
    const expected = [900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400];
    const seen: number[] = [];
    for (const seconds of expected) {
      await failTenTimes(a, true);
      const client = await quickChallenged(a.fetcher, a.accountId);
      const r = await client.mfa(validCode(a.secret, a.clock.t));
      expectTooMany(r, "MFA_LOCKED", seconds);
      seen.push(Number(r.res.headers.get("Retry-After")));
      expect((await secondFactorState(a.accountId))?.lockedUntil).toBe(a.clock.t + seconds * 1000);
      a.clock.advance(seconds * 1000);
    }
    expect(seen).toEqual(expected);
    expect(await secondFactorState(a.accountId)).toMatchObject({ consecutiveFailures: 90, locks: 9, disabled: false });
  });

  it("disables the second factor at 100 consecutive failures: a correct code 25 h later still gets 429 MFA_LOCKED", async () => {
    const a = await setup();
    for (let lock = 1; lock <= 10; lock++) {
      await failTenTimes(a, true);
      if (lock < 10) a.clock.advance(lockSeconds(limits, lock) * 1000);
    }
    expect(await secondFactorState(a.accountId)).toMatchObject({
      consecutiveFailures: limits.secondFactorMaxConsecutiveFailures,
      disabled: true,
    });
    const sessionsBefore = await sessionCount(a.accountId);
    a.clock.advance(25 * HOUR);
    const client = await challenged(a.fetcher, a.email);

    const r = await client.mfa(validCode(a.secret, a.clock.t));

    expectTooMany(r, "MFA_LOCKED", limits.secondFactorMaxLockSeconds);
    expect(await sessionCount(a.accountId)).toBe(sessionsBefore);
    expect(await secondFactorState(a.accountId)).toMatchObject({ consecutiveFailures: 100, disabled: true });
  });

  it("counts wrong enrollment confirmations (PUT /api/v1/account/mfa) toward the lock", async () => {
    const clock = new TestClock();
    const fetcher = appFetcher({ clock: clock.now });
    const client = new ApiClient(fetcher);
    const { email } = await client.signUp(freshEmail("enroll"));
    const start = await client.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa");
    const secret = start.body.mfa.secret;
    const wrong = wrongCodeAt(secret, clock.t);
    for (let i = 0; i < limits.secondFactorFailuresBeforeLock; i++) {
      expectError(await client.json("PUT", "/api/v1/account/mfa", { token: wrong }), 401, "MFA_OTP_INVALID");
    }

    const r = await client.json("PUT", "/api/v1/account/mfa", { token: codeAt(secret, clock.t) });

    expectTooMany(r, "MFA_LOCKED", FIRST_LOCK);
    const accountId = await accountIdOf(email);
    expect(await countRows("mfa_credentials", accountId)).toBe(0);
    expect(await secondFactorState(accountId)).toMatchObject({ consecutiveFailures: 10, locks: 1 });
  });

  it("counts wrong TOTP codes, wrong recovery codes and wrong step-up codes together toward one lock", async () => {
    const a = await setup();
    const wrong = wrongCodeAt(a.secret, a.clock.t);
    const signIn = await challenged(a.fetcher, a.email);
    for (let i = 0; i < 4; i++) expectError(await signIn.mfa({ otp: wrong }), 401, "MFA_OTP_INVALID");
    expectError(await signIn.mfa({ recovery_code: "0000-0000-0000-0000" }), 401, "MFA_OTP_INVALID");
    for (let i = 0; i < 5; i++) {
      const r = await a.client.json("POST", "/api/v1/account/mfa/recovery-codes", { otp: wrong });
      expectError(r, 401, "MFA_OTP_INVALID");
    }

    const next = await challenged(a.fetcher, a.email);
    expectTooMany(await next.mfa(validCode(a.secret, a.clock.t)), "MFA_LOCKED", FIRST_LOCK);
    const stepUp = await a.client.json("POST", "/api/v1/account/mfa/recovery-codes", {
      otp: codeAt(a.secret, a.clock.t + 30_000),
    });
    expectTooMany(stepUp, "MFA_LOCKED", FIRST_LOCK);
    expect(await secondFactorState(a.accountId)).toMatchObject({ consecutiveFailures: 10, locks: 1 });
  });
});
