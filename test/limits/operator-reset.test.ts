/**
 * The operator's reset: the only way out of the NIST 100-failure ceiling. Guarded by the
 * ADMIN_TOKEN secret; absent, the route does not exist.
 */
import { describe, expect, it } from "vitest";
import authConfig from "../../config/auth";
import { ApiClient } from "../helpers/api";
import {
  appFetcher,
  challenged,
  enrolledAccount,
  eventTypes,
  expectError,
  expectTooMany,
  mfaLimiter,
  SLOW_TEST_MS,
  sessionCount,
  TestClock,
  validCode,
} from "./fixtures";

const ADMIN_TOKEN = "operator-token-for-tests-0123456789abcdef";
const limits = authConfig.limits;

/** Drives the account's Limiter straight to the ceiling (100 wrong codes, no HTTP needed). */
async function disable(accountId: string, now: number): Promise<void> {
  const stub = mfaLimiter(accountId);
  for (let i = 0; i < limits.secondFactorMaxConsecutiveFailures; i++) {
    // Each lock expires before the next failure, so every one of the 100 is counted.
    await stub.secondFactor({ now: now + i * 86_400_000, result: { kind: "recovery", matched: false } });
  }
  const snap = await stub.snapshot();
  expect(snap.secondFactor).toMatchObject({
    disabled: true,
    consecutiveFailures: limits.secondFactorMaxConsecutiveFailures,
  });
}

const reset = (fetcher: (r: Request) => Promise<Response>, accountId: string, token?: string) =>
  new ApiClient(fetcher).call("POST", `/admin/accounts/${accountId}/second-factor/reset`, undefined, {
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  });

describe("operator reset of a disabled second factor", () => {
  it("lifts the ceiling so the next correct code signs in, and audits the reset", {
    timeout: SLOW_TEST_MS,
  }, async () => {
    const clock = new TestClock();
    const fetcher = appFetcher({ clock: clock.now }, { ADMIN_TOKEN });
    const a = await enrolledAccount(fetcher, clock.t);
    await disable(a.accountId, clock.t - 200 * 86_400_000);
    clock.advance(60_000);
    const locked = await challenged(fetcher, a.email);
    expectTooMany(await locked.mfa(validCode(a.secret, clock.t)), "MFA_LOCKED", limits.secondFactorMaxLockSeconds);

    const res = await reset(fetcher, a.accountId, ADMIN_TOKEN);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ was_locked: true });

    const before = await sessionCount(a.accountId);
    const client = await challenged(fetcher, a.email);
    const signedIn = await client.mfa(validCode(a.secret, clock.t));
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(await sessionCount(a.accountId)).toBe(before + 1);
    expect(await eventTypes(a.accountId)).toContain("mfa_reset_by_operator");
  });

  it("answers 404 NOT_FOUND when no ADMIN_TOKEN is configured, and changes nothing", async () => {
    const fetcher = appFetcher({}, { ADMIN_TOKEN: undefined });
    const accountId = "any-account";
    const res = await reset(fetcher, accountId, ADMIN_TOKEN);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    expect((await mfaLimiter(accountId).snapshot()).secondFactor).toBeUndefined();
  });

  it("answers 401 UNAUTHENTICATED to a wrong or missing operator token", async () => {
    const fetcher = appFetcher({}, { ADMIN_TOKEN });
    for (const token of [undefined, "wrong-token", `${ADMIN_TOKEN}x`]) {
      const res = await reset(fetcher, "any-account", token);
      const body = await res.text();
      expectError({ status: res.status, body: JSON.parse(body), res }, 401, "UNAUTHENTICATED");
    }
  });
});
