/**
 * The first-factor limit: 10 failed passwords per email in 15 min, counted under the same key
 * whether or not the account exists, so the limit reveals nothing about who is registered.
 */
import { describe, expect, it } from "vitest";
import authConfig from "../../config/auth";
import { firstFactorKey } from "../../src/auth/email";
import { limiterName } from "../../src/limits/client";
import { ApiClient, type Fetcher, freshEmail, PASSWORD } from "../helpers/api";
import {
  accountIdOf,
  appFetcher,
  countRows,
  enrolledAccount,
  expectTooMany,
  limiterStub,
  MINUTE,
  SLOW_TEST_MS,
  sessionCount,
  snapshotOf,
  TestClock,
} from "./fixtures";

const limits = authConfig.limits;
const WINDOW_MS = limits.firstFactorWindowSeconds * 1000;

const passwordLimiter = async (email: string) => limiterName.firstFactor(await firstFactorKey(email));

/** Records `n` failures for `email` at `at` through the Limiter's own RPC (no scrypt per failure). */
async function seedFailures(email: string, at: number, n = limits.firstFactorFailures): Promise<void> {
  const stub = limiterStub(await passwordLimiter(email));
  for (let i = 0; i < n; i++) expect((await stub.firstFactor(at, false)).ok).toBe(true);
}

async function account(): Promise<{ clock: TestClock; fetcher: Fetcher; email: string; client: ApiClient }> {
  const clock = new TestClock();
  const fetcher = appFetcher({ clock: clock.now });
  const client = new ApiClient(fetcher);
  const { email } = await client.signUp(freshEmail("ff"));
  return { clock, fetcher, email, client };
}

describe("first-factor limit", { timeout: SLOW_TEST_MS }, () => {
  it("limits an unknown email exactly like an existing one: same statuses, bodies and Retry-After, in the same order", async () => {
    const { clock, fetcher, email: known } = await account();
    const unknown = freshEmail("ff-unknown");
    const clients = [new ApiClient(fetcher), new ApiClient(fetcher)];
    const answers: { status: number; body: unknown; retryAfter: string | null }[][] = [[], []];
    // One failure a minute: the 11th comes at +10 min, 5 min before the first leaves the window.
    for (let i = 0; i <= limits.firstFactorFailures; i++) {
      for (const [n, email] of [known, unknown].entries()) {
        const r = await clients[n]!.json("POST", "/auth/password", { email, password: "not the password" });
        answers[n]!.push({ status: r.status, body: r.body, retryAfter: r.res.headers.get("Retry-After") });
        if (i === limits.firstFactorFailures) expectTooMany(r, "AUTH_RATE_LIMITED", 5 * 60);
      }
      clock.advance(MINUTE);
    }

    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.map((a) => a.status)).toEqual([...Array(10).fill(401), 429]);
    expect(answers[0]![0]!.body).toMatchObject({ error: { code: "AUTH_INVALID_CREDENTIALS" } });
    for (const email of [known, unknown]) {
      const state = (await snapshotOf(await passwordLimiter(email))).firstFactor;
      expect(state?.failures).toHaveLength(10);
      expect(state?.received).toBe(11);
    }
  });

  it("answers the correct password during the limit with 429 AUTH_RATE_LIMITED, issues no session and keeps the failures", async () => {
    const { clock, fetcher, email } = await account();
    await seedFailures(email, clock.t);
    const accountId = await accountIdOf(email);
    const sessionsBefore = await sessionCount(accountId);

    const r = await new ApiClient(fetcher).json("POST", "/auth/password", { email, password: PASSWORD });

    expectTooMany(r, "AUTH_RATE_LIMITED", limits.firstFactorWindowSeconds);
    expect(await sessionCount(accountId)).toBe(sessionsBefore);
    expect((await snapshotOf(await passwordLimiter(email))).firstFactor?.failures).toHaveLength(10);
  });

  it("keeps the limit until the oldest failure is 15 min old (Retry-After: 1)", async () => {
    const { clock, fetcher, email } = await account();
    await seedFailures(email, clock.t);
    clock.advance(WINDOW_MS - 1000);

    const r = await new ApiClient(fetcher).json("POST", "/auth/password", { email, password: PASSWORD });

    expectTooMany(r, "AUTH_RATE_LIMITED", 1);
  });

  it("lets the correct password through once the failures leave the window, and clears them", async () => {
    const { clock, fetcher, email } = await account();
    await seedFailures(email, clock.t);
    clock.advance(WINDOW_MS);

    const r = await new ApiClient(fetcher).json("POST", "/auth/password", { email, password: PASSWORD });

    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await snapshotOf(await passwordLimiter(email))).firstFactor?.failures).toEqual([]);
  });

  it("counts sudo passwords for DELETE /api/v1/account/mfa toward the same limit", async () => {
    const clock = new TestClock();
    const fetcher = appFetcher({ clock: clock.now });
    const { email, accountId, client } = await enrolledAccount(fetcher, clock.t);
    await seedFailures(email, clock.t);

    const r = await client.json("DELETE", "/api/v1/account/mfa", { sudo_password: PASSWORD });

    expectTooMany(r, "AUTH_RATE_LIMITED", limits.firstFactorWindowSeconds);
    expect(await countRows("mfa_credentials", accountId)).toBe(1);
  });
});
