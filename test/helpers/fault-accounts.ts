/**
 * Accounts and reads for the failing-storage suite: accounts made through the faulty app while
 * it is healthy, requests built as a client would send them, and the consistency rules every
 * account must satisfy once a fault has cleared.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import authConfig from "../../config/auth";
import { firstFactorKey } from "../../src/auth/email";
import { limiterName } from "../../src/limits/client";
import { ApiClient, freshEmail, freshIp, ORIGIN } from "./api";
import type { FaultyWorld } from "./faults";

export interface FaultAccount {
  client: ApiClient;
  email: string;
  id: string;
  secret: string;
  recoveryCodes: string[];
  limiters: { mfa: string; pw: string };
}

export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
}

/** Signs up (and enrolls) through the faulty app with no fault planned. */
export async function newAccount(w: FaultyWorld, { enrolled = false } = {}): Promise<FaultAccount> {
  const client = new ApiClient(w.send);
  const { email } = await client.signUp(freshEmail("faults"));
  const id = (await client.json<{ profile: { id: string } }>("GET", "/api/v1/account/security")).body.profile.id;
  let secret = "";
  let recoveryCodes: string[] = [];
  if (enrolled) ({ secret, recoveryCodes } = await client.enroll(w.clock.now));
  return {
    client,
    email,
    id,
    secret,
    recoveryCodes,
    limiters: { mfa: limiterName.secondFactor(id), pw: limiterName.firstFactor(await firstFactorKey(email)) },
  };
}

/** A JSON request from a fresh client address, optionally with a bearer token. */
export function jsonRequest(method: string, path: string, body?: unknown, token?: string): Request {
  const headers = new Headers({ "CF-Connecting-IP": freshIp(), Accept: "application/json" });
  if (token) headers.set("Authorization", `Bearer ${token}`);
  if (body !== undefined) headers.set("Content-Type", "application/json");
  return new Request(`${ORIGIN}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Moves the app's clock to a fresh TOTP step, well past every step used so far. */
export function nextStep(w: FaultyWorld): number {
  w.clock.now += 3 * authConfig.totp.periodSeconds * 1000;
  return w.clock.now;
}

/**
 * No half-enrolled account: at most one credential; a credential has exactly the policy's number
 * of recovery codes (used ones included) and no account without one keeps codes; a confirmed
 * enrollment leaves no pending row behind.
 */
export async function expectConsistent(accountId: string): Promise<void> {
  const [{ credentials, codes, claimed }] = (await rows<{ credentials: number; codes: number; claimed: number }>(
    `SELECT (SELECT count(*) FROM mfa_credentials WHERE account_id = ?1) AS credentials,
            (SELECT count(*) FROM recovery_codes WHERE account_id = ?1) AS codes,
            (SELECT count(*) FROM mfa_enrollments WHERE account_id = ?1 AND claimed_by IS NOT NULL) AS claimed`,
    accountId,
  )) as [{ credentials: number; codes: number; claimed: number }];
  expect(credentials).toBeLessThanOrEqual(1);
  expect(codes).toBe(credentials === 1 ? authConfig.recoveryCodes.count : 0);
  expect(claimed).toBe(0);
}

export async function unusedRecoveryCodes(accountId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(
    "SELECT count(*) AS n FROM recovery_codes WHERE account_id = ? AND used_at IS NULL",
    accountId,
  );
  return row!.n;
}

/** Whether a session token still authenticates (a read; the fixed clock means no touch). */
export async function tokenWorks(w: FaultyWorld, token: string): Promise<boolean> {
  const res = await w.send(jsonRequest("GET", "/api/v1/account/security", undefined, token));
  await res.body?.cancel();
  expect([200, 401]).toContain(res.status);
  return res.status === 200;
}
