/**
 * What one second-factor verification costs in storage round trips, counted with wrappers around
 * the LIMITER and DB bindings: one call to the account's Limiter (lock, challenge cap, replay
 * floor and the attempt record together), one to the client IP's Limiter — a separate object,
 * keyed by address, so it cannot share the account's call — one D1 read and, on success, one
 * D1 batch.
 */
import { describe, expect, it } from "vitest";
import { limiterName } from "../../src/limits/client";
import { wrongCodeAt } from "../helpers/authenticator";
import {
  appFetcher,
  challenged,
  countingD1,
  countingLimiter,
  enrolledAccount,
  expectError,
  SLOW_TEST_MS,
  sameClient,
  TestClock,
  validCode,
} from "./fixtures";

async function measured() {
  const clock = new TestClock();
  const healthy = appFetcher({ clock: clock.now });
  const account = await enrolledAccount(healthy, clock.t);
  const challengedClient = await challenged(healthy, account.email);
  const limiter = countingLimiter();
  const d1 = countingD1();
  const client = sameClient(
    appFetcher({ clock: clock.now }, { LIMITER: limiter.namespace, DB: d1.db }),
    challengedClient,
  );
  return { ...account, clock, client, limiter, d1 };
}

describe("round trips of POST /auth/{strategy}/mfa", { timeout: SLOW_TEST_MS }, () => {
  it("calls the Limiter twice for a correct code: secondFactor on the account's object, ipRequest on the IP's", async () => {
    const m = await measured();

    expect((await m.client.mfa(validCode(m.secret, m.clock.t + 30_000))).status).toBe(200);

    expect(m.limiter.calls).toEqual({ secondFactor: 1, ipRequest: 1, firstFactor: 0 });
    expect(m.limiter.names).toEqual([limiterName.ip(m.client.ip), limiterName.secondFactor(m.accountId)]);
  });

  it("calls the Limiter twice for a wrong code, the same two calls", async () => {
    const m = await measured();

    expectError(await m.client.mfa({ otp: wrongCodeAt(m.secret, m.clock.t) }), 401, "MFA_OTP_INVALID");

    expect(m.limiter.calls).toEqual({ secondFactor: 1, ipRequest: 1, firstFactor: 0 });
  });

  it("makes two D1 round trips for a correct code: one read, one batch", async () => {
    const m = await measured();

    expect((await m.client.mfa(validCode(m.secret, m.clock.t + 30_000))).status).toBe(200);

    expect(m.d1.kinds).toEqual(["raw", "batch"]);
  });

  it("makes one D1 round trip for a wrong code that does not lock", async () => {
    const m = await measured();

    expectError(await m.client.mfa({ otp: wrongCodeAt(m.secret, m.clock.t) }), 401, "MFA_OTP_INVALID");

    expect(m.d1.kinds).toEqual(["raw"]);
  });

  it("adds one D1 write for the wrong code that locks: the mfa_locked event", async () => {
    const m = await measured();
    const wrong = { otp: wrongCodeAt(m.secret, m.clock.t) };
    for (let i = 0; i < 5; i++) await m.client.mfa(wrong);
    const second = await challenged(m.client.fetcher, m.email);
    for (let i = 0; i < 4; i++) await second.mfa(wrong);
    m.d1.kinds.length = 0;
    m.limiter.calls.secondFactor = 0;

    expectError(await second.mfa(wrong), 401, "MFA_OTP_INVALID");

    expect(m.d1.kinds).toEqual(["raw", "run"]);
    expect(m.limiter.calls.secondFactor).toBe(1);
  });

  it("makes three D1 round trips for a correct recovery code: two concurrent reads, one batch", async () => {
    const m = await measured();

    const r = await m.client.mfa({ recovery_code: m.recoveryCodes[0]! });

    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(m.d1.kinds).toEqual(["raw", "raw", "batch"]);
    expect(m.limiter.calls).toEqual({ secondFactor: 1, ipRequest: 1, firstFactor: 0 });
  });

  it("makes no account Limiter call for an unknown challenge: one IP call, one D1 read", async () => {
    const m = await measured();
    m.client.challenge = "not-a-challenge";

    expectError(await m.client.mfa(validCode(m.secret, m.clock.t + 30_000)), 401, "MFA_CHALLENGE_INVALID");

    expect(m.limiter.calls).toEqual({ secondFactor: 0, ipRequest: 1, firstFactor: 0 });
    expect(m.d1.kinds).toEqual(["raw"]);
  });
});
