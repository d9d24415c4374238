/**
 * Races (issue 6): bursts of concurrent requests against every single-use rule. Each burst must
 * end with exactly one winner and stored state that says so.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";
import { credentialsOf, recoveryCodesOf, rows, sessionsOf } from "../helpers/db";
import { enrolledAccount } from "../helpers/flows";
import { seedAccount, seedChallenge } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

const aal2 = async (accountId: string) => (await sessionsOf(accountId)).filter((s) => s.aal === 2);

/** `n` clients, each on its own IP and holding its own freshly stored challenge. */
async function challenged(accountId: string, n: number): Promise<ApiClient[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const c = new ApiClient();
      await seedChallenge(accountId, { client: c });
      return c;
    }),
  );
}

describe("bursts against single-use rules", () => {
  it("one valid code sent 100 times at once (100 challenges) yields exactly one session", {
    timeout: 30_000,
  }, async () => {
    const { secret, accountId } = await enrolledAccount(new ApiClient());
    const clients = await challenged(accountId, 100);
    const before = await aal2(accountId);
    const otp = codeAt(secret, Date.now() + 30_000);

    const results = await Promise.all(clients.map((c) => c.mfa({ otp })));

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status >= 500)).toHaveLength(0);
    expect(await aal2(accountId)).toHaveLength(before.length + 1);
  });

  it("one recovery code sent 50 times at once yields exactly one success and one spent code", {
    timeout: 30_000,
  }, async () => {
    const { recoveryCodes, accountId } = await enrolledAccount(new ApiClient());
    const clients = await challenged(accountId, 50);
    const before = await aal2(accountId);

    const results = await Promise.all(clients.map((c) => c.mfa({ recovery_code: recoveryCodes[0]! })));

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(await aal2(accountId)).toHaveLength(before.length + 1);
    expect((await recoveryCodesOf(accountId)).filter((c) => c.used_at !== null)).toHaveLength(1);
  });

  it("one enrollment confirmed 20 times at once yields one credential and one set of 10 codes", async () => {
    const owner = new ApiClient();
    const { accountId } = await seedAccount({ client: owner });
    const start = await owner.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa");
    const token = codeAt(start.body.mfa.secret, Date.now());
    const confirmers = Array.from({ length: 20 }, () => {
      const c = new ApiClient();
      c.token = owner.token;
      return c;
    });

    const results = await Promise.all(confirmers.map((c) => c.json("PUT", "/api/v1/account/mfa", { token })));

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status >= 500)).toHaveLength(0);
    expect(await credentialsOf(accountId)).toHaveLength(1);
    expect(await recoveryCodesOf(accountId)).toHaveLength(10);
  });

  it("a sign-out racing requests on the same session leaves the session dead", async () => {
    const client = new ApiClient();
    const { sessionId } = await seedAccount({ client });
    const racing = Array.from({ length: 20 }, () => client.json("GET", "/api/v1/account/security"));

    const [logout, ...reads] = await Promise.all([client.call("POST", "/auth/logout"), ...racing]);

    expect(logout.status).toBe(204);
    for (const r of reads) expect([200, 401]).toContain(r.status);
    expect((await client.json("GET", "/api/v1/account/security")).status).toBe(401);
    const [row] = await rows<{ revoked_at: number | null }>("SELECT revoked_at FROM sessions WHERE id = ?", sessionId);
    expect(row?.revoked_at).not.toBeNull();
  });
});
