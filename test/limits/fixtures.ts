/**
 * Shared set-up for the limit tests: an app with an injected clock, Limiter stubs that fail or
 * count on demand, a D1 binding that counts round trips, and direct reads of the stored state.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { z } from "@hono/zod-openapi";
import { expect } from "vitest";
import { type AppOptions, createApp } from "../../src/app";
import { type AnyStrategy, defaultStrategies } from "../../src/auth/strategies";
import { limiterName } from "../../src/limits/client";
import type { Limiter, LimiterSnapshot } from "../../src/limits/limiter";
import { ApiClient, type Fetcher, freshEmail, PASSWORD } from "../helpers/api";
import { codeAt } from "../helpers/authenticator";

/** A clock the test moves by hand; the app and (through `attempt.now`) the Limiter read it. */
export class TestClock {
  constructor(public t: number = Date.now()) {}
  readonly now = (): number => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

/**
 * Per-test timeout for these files: password sign-ins cost ~250 ms of scrypt each in workerd,
 * and the whole suite shares two cores, so a test that takes 3 s alone can take 10 s in `npm test`.
 */
export const SLOW_TEST_MS = 30_000;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/**
 * Test only: a first factor that takes the account id on trust. Tests that need dozens of
 * challenges use it to skip the deliberately slow scrypt; the challenge, the gate and the
 * second factor are the real ones, and the lock is per account whatever the strategy.
 */
export const trustedStrategy: AnyStrategy = {
  name: "trusted",
  summary: "Test only: names the account without proof",
  body: z.object({ accountId: z.string() }),
  async start(_s, { accountId }: { accountId: string }) {
    return { kind: "authenticated", accountId };
  },
};

export const withTrustedStrategy = [...defaultStrategies, trustedStrategy];

/** A fetcher for `createApp(options)` over `env` with some bindings replaced. */
export function appFetcher(options: AppOptions = {}, bindings: Partial<Cloudflare.Env> = {}): Fetcher {
  const app = createApp(options);
  const wrapped = { ...env, ...bindings } as Cloudflare.Env;
  return async (request) => app.fetch(request, wrapped, createExecutionContext());
}

// ---- the Limiter, from the outside and the inside ----

export type LimiterMethod = "secondFactor" | "firstFactor" | "ipRequest";

export const limiterStub = (name: string) => env.LIMITER.getByName(name);
export const mfaLimiter = (accountId: string) => limiterStub(limiterName.secondFactor(accountId));
export const ipLimiter = (ip: string) => limiterStub(limiterName.ip(ip));
export const snapshotOf = (name: string): Promise<LimiterSnapshot> =>
  limiterStub(name).snapshot() as Promise<LimiterSnapshot>;

/**
 * A namespace whose stubs forward to the real Limiter except for the `failing` methods, which
 * reject (`throw`) or never settle (`hang`, for the client's timeout).
 */
export function faultyLimiter(failing: readonly LimiterMethod[], mode: "throw" | "hang") {
  const fail = () =>
    mode === "throw" ? Promise.reject(new Error("injected Durable Object failure")) : new Promise<never>(() => {});
  return wrapLimiter((method, forward) => (failing.includes(method) ? fail() : forward()));
}

/** A namespace that counts calls per RPC method (and per object name) before forwarding them. */
export function countingLimiter() {
  const calls: Record<LimiterMethod, number> = { secondFactor: 0, firstFactor: 0, ipRequest: 0 };
  const names: string[] = [];
  const namespace = wrapLimiter((method, forward, name) => {
    calls[method]++;
    names.push(name);
    return forward();
  });
  return { namespace, calls, names };
}

function wrapLimiter(
  around: (method: LimiterMethod, forward: () => Promise<unknown>, name: string) => Promise<unknown>,
): DurableObjectNamespace<Limiter> {
  const real = env.LIMITER;
  return {
    getByName(name: string) {
      const stub = real.getByName(name);
      const rpc =
        (method: LimiterMethod) =>
        (...args: unknown[]) =>
          // biome-ignore lint/suspicious/noExplicitAny: forwards whatever the RPC method takes
          around(method, () => (stub[method] as (...a: any[]) => Promise<unknown>)(...args), name);
      return {
        secondFactor: rpc("secondFactor"),
        firstFactor: rpc("firstFactor"),
        ipRequest: rpc("ipRequest"),
        snapshot: () => stub.snapshot(),
      };
    },
  } as unknown as DurableObjectNamespace<Limiter>;
}

// ---- D1 ----

/** A D1 binding that counts executions (first/all/run/raw and each whole batch) by kind. */
export function countingD1() {
  const real = env.DB;
  const kinds: string[] = [];
  type Stmt = D1PreparedStatement & { inner: D1PreparedStatement };
  const wrap = (inner: D1PreparedStatement): Stmt => {
    const counted =
      <K extends "first" | "all" | "run" | "raw">(kind: K) =>
      (...args: unknown[]) => {
        kinds.push(kind);
        // biome-ignore lint/suspicious/noExplicitAny: forwards D1's overloaded signatures unchanged
        return (inner[kind] as (...a: any[]) => unknown)(...args);
      };
    return {
      inner,
      bind: (...values: unknown[]) => wrap(inner.bind(...values)),
      first: counted("first"),
      all: counted("all"),
      run: counted("run"),
      raw: counted("raw"),
    } as unknown as Stmt;
  };
  const db = {
    prepare: (query: string) => wrap(real.prepare(query)),
    batch: (statements: Stmt[]) => {
      kinds.push("batch");
      return real.batch(statements.map((s) => s.inner ?? s));
    },
    exec: (query: string) => {
      kinds.push("exec");
      return real.exec(query);
    },
    dump: () => real.dump(),
  } as unknown as D1Database;
  return { db, kinds };
}

export async function accountIdOf(email: string): Promise<string> {
  const id = await env.DB.prepare("SELECT id FROM accounts WHERE email = ?").bind(email).first<string>("id");
  if (!id) throw new Error(`no account for ${email}`);
  return id;
}

export async function countRows(table: string, accountId: string): Promise<number> {
  const n = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`)
    .bind(accountId)
    .first<number>("n");
  return n ?? 0;
}

export const sessionCount = (accountId: string) => countRows("sessions", accountId);

export async function eventTypes(accountId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT type FROM account_events WHERE account_id = ? ORDER BY id")
    .bind(accountId)
    .all<{ type: string }>();
  return results.map((r) => r.type);
}

// ---- accounts and challenges ----

export interface EnrolledAccount {
  email: string;
  accountId: string;
  secret: string;
  recoveryCodes: string[];
  /** The client that enrolled; its session is aal 2. */
  client: ApiClient;
}

/** Signs up and enrolls at `at` (the enrollment burns that TOTP step). */
export async function enrolledAccount(fetcher: Fetcher, at: number): Promise<EnrolledAccount> {
  const client = new ApiClient(fetcher);
  const { email } = await client.signUp(freshEmail("limits"));
  const { secret, recoveryCodes } = await client.enroll(at);
  return { email, accountId: await accountIdOf(email), secret, recoveryCodes, client };
}

/** A fresh password sign-in (its own IP) that stops at the second factor; returns the client holding the challenge. */
export async function challenged(fetcher: Fetcher, email: string): Promise<ApiClient> {
  const client = new ApiClient(fetcher);
  const r = await client.signIn(email, PASSWORD);
  if (r.status !== 200 || !r.body.mfa_required)
    throw new Error(`sign-in failed: ${r.status} ${JSON.stringify(r.body)}`);
  return client;
}

/** A client (its own IP) holding a challenge issued through the trusted test strategy. */
export async function quickChallenged(fetcher: Fetcher, accountId: string): Promise<TrustedClient> {
  const client = new TrustedClient(fetcher);
  const r = await client.json<{ challenge?: string }>("POST", "/auth/trusted", { accountId });
  if (r.status !== 200 || !r.body.challenge) throw new Error(`sign-in failed: ${r.status} ${JSON.stringify(r.body)}`);
  client.challenge = r.body.challenge;
  return client;
}

export class TrustedClient extends ApiClient {
  override mfa(code: { otp: string } | { recovery_code: string }, strategy = "trusted") {
    return super.mfa(code, strategy);
  }
}

/** A client on `fetcher` that carries over another client's IP, session and challenge. */
export function sameClient(fetcher: Fetcher, from: ApiClient): ApiClient {
  const client = new ApiClient(fetcher, from.ip);
  client.token = from.token;
  client.challenge = from.challenge;
  return client;
}

/** A client on its own IP that answers an existing challenge. */
export function onChallenge(fetcher: Fetcher, challenge: string): ApiClient {
  const client = new ApiClient(fetcher);
  client.challenge = challenge;
  return client;
}

export const validCode = (secret: string, at: number) => ({ otp: codeAt(secret, at) });

// ---- answers ----

/** Asserts a 429 with this error code and a Retry-After of whole seconds within 1 s of `seconds`. */
export function expectTooMany(
  r: { status: number; body: unknown; res: Response },
  code: "MFA_LOCKED" | "AUTH_RATE_LIMITED" | "RATE_LIMITED",
  seconds: number,
): void {
  expect(r.status, JSON.stringify(r.body)).toBe(429);
  expect((r.body as { error: { code: string } }).error.code).toBe(code);
  const header = r.res.headers.get("Retry-After");
  expect(header).toMatch(/^[1-9][0-9]*$/);
  expect(Math.abs(Number(header) - seconds)).toBeLessThanOrEqual(1);
}

export function expectError(r: { status: number; body: unknown; res: Response }, status: number, code: string): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect((r.body as { error: { code: string } }).error.code).toBe(code);
  expect(r.res.headers.has("Retry-After")).toBe(false);
}
