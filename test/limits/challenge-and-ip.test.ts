/**
 * The per-challenge cap (5 wrong codes void a challenge, whatever the account's lock says) and
 * the per-IP token bucket (30 a minute, shared by every account behind one address).
 */
import { describe, expect, it } from "vitest";
import authConfig from "../../config/auth";
import { sha256Hex } from "../../src/crypto/hash";
import { ApiClient, freshEmail, freshIp } from "../helpers/api";
import { wrongCodeAt } from "../helpers/authenticator";
import {
  appFetcher,
  challenged,
  enrolledAccount,
  expectError,
  expectTooMany,
  onChallenge,
  SLOW_TEST_MS,
  sessionCount,
  snapshotOf,
  TestClock,
  validCode,
} from "./fixtures";

const limits = authConfig.limits;
/** One token of a 30-per-60-s bucket comes back every 2 s. */
const REFILL_SECONDS = limits.ipWindowSeconds / limits.ipRequests;

async function enrolled() {
  const clock = new TestClock();
  const fetcher = appFetcher({ clock: clock.now });
  const account = await enrolledAccount(fetcher, clock.t);
  return { ...account, clock, fetcher };
}

describe("per-challenge cap", { timeout: SLOW_TEST_MS }, () => {
  it("voids a challenge after 5 wrong codes: a correct code on it then gets 401 MFA_CHALLENGE_INVALID and no session", async () => {
    const a = await enrolled();
    const client = await challenged(a.fetcher, a.email);
    const wrong = wrongCodeAt(a.secret, a.clock.t);
    for (let i = 0; i < limits.challengeMaxAttempts; i++) {
      expectError(await client.mfa({ otp: wrong }), 401, "MFA_OTP_INVALID");
    }
    const sessionsBefore = await sessionCount(a.accountId);

    const r = await client.mfa(validCode(a.secret, a.clock.t + 30_000));

    expectError(r, 401, "MFA_CHALLENGE_INVALID");
    expect(await sessionCount(a.accountId)).toBe(sessionsBefore);
    const snap = await snapshotOf(`mfa:${a.accountId}`);
    expect(snap.challenges[await sha256Hex(client.challenge!)]?.attempts).toBe(5);
    // The void challenge's extra attempt is not a guess: the account is 5 failures in, unlocked.
    expect(snap.secondFactor).toMatchObject({ consecutiveFailures: 5, locks: 0, lockedUntil: 0 });
  });

  it("voids only the challenge, not the account: a new sign-in with a correct code succeeds", async () => {
    const a = await enrolled();
    const first = await challenged(a.fetcher, a.email);
    const wrong = wrongCodeAt(a.secret, a.clock.t);
    for (let i = 0; i < limits.challengeMaxAttempts; i++) await first.mfa({ otp: wrong });
    expectError(await first.mfa({ otp: wrong }), 401, "MFA_CHALLENGE_INVALID");

    const second = await challenged(a.fetcher, a.email);
    const r = await second.mfa(validCode(a.secret, a.clock.t + 30_000));

    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await snapshotOf(`mfa:${a.accountId}`)).secondFactor).toMatchObject({ consecutiveFailures: 0 });
  });

  it("counts exactly 5 of a burst of 20 wrong codes on one challenge and voids it for the other 15", async () => {
    const a = await enrolled();
    const { challenge } = await challenged(a.fetcher, a.email);
    const wrong = wrongCodeAt(a.secret, a.clock.t);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => onChallenge(a.fetcher, challenge!).mfa({ otp: wrong })),
    );

    const codes = answers.map((r) => (r.body as unknown as { error: { code: string } }).error.code);
    expect(answers.every((r) => r.status === 401)).toBe(true);
    expect(codes.filter((c) => c === "MFA_OTP_INVALID")).toHaveLength(5);
    expect(codes.filter((c) => c === "MFA_CHALLENGE_INVALID")).toHaveLength(15);
    const snap = await snapshotOf(`mfa:${a.accountId}`);
    expect(snap.challenges[await sha256Hex(challenge!)]?.attempts).toBe(5);
    expect(snap.secondFactor?.consecutiveFailures).toBe(5);
  });
});

describe("per-IP limit", { timeout: SLOW_TEST_MS }, () => {
  async function twoAccounts() {
    const clock = new TestClock();
    const fetcher = appFetcher({ clock: clock.now });
    const emails = [freshEmail("ip-a"), freshEmail("ip-b")];
    for (const email of emails) await new ApiClient(fetcher).signUp(email);
    return { clock, fetcher, emails };
  }

  it("shares one IP's budget of 30 requests a minute between two accounts: the 31st gets 429 RATE_LIMITED for either", async () => {
    const { fetcher, emails } = await twoAccounts();
    const client = new ApiClient(fetcher);
    for (let i = 0; i < limits.ipRequests; i++) {
      const r = await client.json("POST", "/auth/link", { email: emails[i % 2] });
      expect(r.status).toBe(202);
    }

    for (const email of emails) {
      expectTooMany(await client.json("POST", "/auth/link", { email }), "RATE_LIMITED", REFILL_SECONDS);
    }
    const bucket = (await snapshotOf(`ip:${client.ip}`)).ipBucket;
    expect(bucket?.received).toBe(32);
    expect(bucket?.tokens).toBeLessThan(1);
  });

  it("limits one account per IP: when one address is spent, the same account from another address gets through", async () => {
    const { fetcher, emails } = await twoAccounts();
    const first = new ApiClient(fetcher);
    const second = new ApiClient(fetcher);
    for (let i = 0; i < limits.ipRequests; i++) await first.json("POST", "/auth/link", { email: emails[0] });
    expectTooMany(await first.json("POST", "/auth/link", { email: emails[0] }), "RATE_LIMITED", REFILL_SECONDS);

    const r = await second.json("POST", "/auth/link", { email: emails[0] });

    expect(r.status).toBe(202);
    expect((await snapshotOf(`ip:${first.ip}`)).ipBucket?.received).toBe(31);
    expect((await snapshotOf(`ip:${second.ip}`)).ipBucket?.received).toBe(1);
  });

  it("refills one request every 2 s: after 2 s one more gets through, the next is refused with Retry-After: 2", async () => {
    const { clock, fetcher, emails } = await twoAccounts();
    const client = new ApiClient(fetcher);
    for (let i = 0; i <= limits.ipRequests; i++) await client.json("POST", "/auth/link", { email: emails[0] });
    clock.advance(REFILL_SECONDS * 1000 - 1);
    expectTooMany(await client.json("POST", "/auth/link", { email: emails[0] }), "RATE_LIMITED", 1);
    clock.advance(1);

    expect((await client.json("POST", "/auth/link", { email: emails[0] })).status).toBe(202);
    expectTooMany(await client.json("POST", "/auth/link", { email: emails[0] }), "RATE_LIMITED", REFILL_SECONDS);
  });

  it("checks the IP before the account: a spent address gets 429 RATE_LIMITED on the MFA step and the account's counters stay untouched", async () => {
    const a = await enrolled();
    const { challenge } = await challenged(a.fetcher, a.email);
    const before = await snapshotOf(`mfa:${a.accountId}`);
    const client = onChallenge(a.fetcher, challenge!);
    for (let i = 0; i < limits.ipRequests; i++) await client.json("POST", "/auth/link", { email: a.email });

    const r = await client.mfa({ otp: wrongCodeAt(a.secret, a.clock.t) });

    expectTooMany(r, "RATE_LIMITED", REFILL_SECONDS);
    expect(await snapshotOf(`mfa:${a.accountId}`)).toEqual(before);
  });

  it("keys the budget on CF-Connecting-IP: a rotating X-Forwarded-For buys no fresh budget", async () => {
    const { fetcher, emails } = await twoAccounts();
    const client = new ApiClient(fetcher);
    const send = () =>
      client
        .call("POST", "/auth/link", { email: emails[0] }, { "X-Forwarded-For": freshIp() })
        .then(async (res) => ({ status: res.status, body: await res.json(), res }));
    for (let i = 0; i < limits.ipRequests; i++) expect((await send()).status).toBe(202);

    expectTooMany(await send(), "RATE_LIMITED", REFILL_SECONDS);
    expect((await snapshotOf(`ip:${client.ip}`)).ipBucket?.received).toBe(31);
  });
});
