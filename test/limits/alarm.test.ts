/**
 * Storage does not grow without bound: the Limiter's alarm deletes challenge counters, first-
 * factor failures and idle IP buckets once their windows have passed, keeps everything else,
 * and re-arms itself for the earliest expiry of what is left.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import authConfig from "../../config/auth";
import { sha256Hex } from "../../src/crypto/hash";
import { freshEmail, freshIp } from "../helpers/api";
import { wrongCodeAt } from "../helpers/authenticator";
import {
  appFetcher,
  challenged,
  enrolledAccount,
  expectError,
  HOUR,
  ipLimiter,
  limiterStub,
  MINUTE,
  mfaLimiter,
  SLOW_TEST_MS,
  TestClock,
} from "./fixtures";

const limits = authConfig.limits;
const CHALLENGE_GRACE_MS = 60_000;

const alarmOf = (stub: DurableObjectStub) => runInDurableObject(stub, (_, state) => state.storage.getAlarm());

/** An account with one wrong code on one challenge, all at `at`. */
async function oneWrongCode(at: number) {
  const clock = new TestClock(at);
  const fetcher = appFetcher({ clock: clock.now });
  const account = await enrolledAccount(fetcher, clock.t);
  const client = await challenged(fetcher, account.email);
  expectError(await client.mfa({ otp: wrongCodeAt(account.secret, clock.t) }), 401, "MFA_OTP_INVALID");
  const challengeHash = await sha256Hex(client.challenge!);
  return { ...account, clock, challengeHash, stub: mfaLimiter(account.accountId) };
}

describe("Limiter alarm", { timeout: SLOW_TEST_MS }, () => {
  it("deletes a challenge counter once its challenge has expired, and keeps the account's failures and replay floor", async () => {
    const a = await oneWrongCode(Date.now() - 2 * HOUR);

    await runDurableObjectAlarm(a.stub);

    const snap = await a.stub.snapshot();
    expect(snap.challenges).toEqual({});
    expect(snap.secondFactor).toMatchObject({ consecutiveFailures: 1 });
    expect(Object.keys(snap.steps)).toHaveLength(1);
    expect(await alarmOf(a.stub)).toBeNull();
  });

  it("keeps the counter of a live challenge and re-arms for its expiry plus one minute's grace", async () => {
    const a = await oneWrongCode(Date.now());
    const expiresAt = a.clock.t + authConfig.ttl.challengeSeconds * 1000;

    await runDurableObjectAlarm(a.stub);

    expect((await a.stub.snapshot()).challenges[a.challengeHash]).toEqual({ attempts: 1, expiresAt });
    expect(await alarmOf(a.stub)).toBe(expiresAt + CHALLENGE_GRACE_MS);
  });

  it("drops first-factor failures older than 15 min, keeps the recent ones and re-arms for the oldest kept", async () => {
    const now = Date.now();
    const stub = limiterStub(`pw:test-${freshEmail()}`);
    for (let i = 0; i < 3; i++) await stub.firstFactor(now - 20 * MINUTE, false);
    for (let i = 0; i < 2; i++) await stub.firstFactor(now - MINUTE, false);

    await runDurableObjectAlarm(stub);

    expect((await stub.snapshot()).firstFactor?.failures).toEqual([now - MINUTE, now - MINUTE]);
    expect(await alarmOf(stub)).toBe(now - MINUTE + limits.firstFactorWindowSeconds * 1000);
  });

  it("deletes the first-factor record once every failure is older than 15 min, leaving no alarm", async () => {
    const stub = limiterStub(`pw:test-${freshEmail()}`);
    await stub.firstFactor(Date.now() - 20 * MINUTE, false);

    await runDurableObjectAlarm(stub);

    expect((await stub.snapshot()).firstFactor).toBeUndefined();
    expect(await alarmOf(stub)).toBeNull();
  });

  it("deletes an IP bucket idle for a whole window, leaving no alarm", async () => {
    const stub = ipLimiter(freshIp());
    await stub.ipRequest(Date.now() - 2 * MINUTE);

    await runDurableObjectAlarm(stub);

    expect((await stub.snapshot()).ipBucket).toBeUndefined();
    expect(await alarmOf(stub)).toBeNull();
  });

  it("keeps a busy IP bucket and re-arms for when it will have been idle a whole window", async () => {
    const stub = ipLimiter(freshIp());
    const now = Date.now();
    await stub.ipRequest(now);

    await runDurableObjectAlarm(stub);

    expect((await stub.snapshot()).ipBucket).toMatchObject({ received: 1, updatedAt: now });
    expect(await alarmOf(stub)).toBe(now + limits.ipWindowSeconds * 1000);
  });

  it("arms an alarm with the first request, at the end of the IP window", async () => {
    const stub = ipLimiter(freshIp());
    const now = Date.now();

    await stub.ipRequest(now);

    expect(await alarmOf(stub)).toBe(now + limits.ipWindowSeconds * 1000);
  });
});
