/**
 * Fail closed: when a Limiter call throws or does not answer in time, every limited endpoint
 * answers 503 TEMPORARILY_UNAVAILABLE and nothing is written — no session, no account, no
 * credential, no spent challenge or code, no counter reset.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { firstFactorKey } from "../../src/auth/email";
import { limiterName } from "../../src/limits/client";
import { ApiClient, type Fetcher, freshEmail, PASSWORD } from "../helpers/api";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import {
  appFetcher,
  challenged,
  enrolledAccount,
  expectError,
  faultyLimiter,
  type LimiterMethod,
  onChallenge,
  SLOW_TEST_MS,
  sameClient,
  snapshotOf,
  TestClock,
} from "./fixtures";

type Mode = "throw" | "hang";
const MODES: readonly Mode[] = ["throw", "hang"];
/** The production bound is 5 s; the hang cases shorten it to keep the suite fast. */
const TEST_TIMEOUT_MS = 50;

const clock = new TestClock();
const healthy = appFetcher({ clock: clock.now });
const broken = (failing: readonly LimiterMethod[], mode: Mode): Fetcher =>
  appFetcher({ clock: clock.now, limiterTimeoutMs: TEST_TIMEOUT_MS }, { LIMITER: faultyLimiter(failing, mode) });

const rows = async (sql: string, ...binds: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...binds)
      .all()
  ).results;

/** Every row an endpoint could write for this account, and the account's Limiter counters. */
async function accountState(accountId: string, email: string) {
  const of = (table: string, columns: string, order = "rowid") =>
    rows(`SELECT ${columns} FROM ${table} WHERE account_id = ? ORDER BY ${order}`, accountId);
  return {
    sessions: await of("sessions", "id, aal, revoked_at, last_seen_at"),
    credentials: await of("mfa_credentials", "id, key_id, last_used_step"),
    enrollments: await of("mfa_enrollments", "id, claimed_by"),
    challenges: await of("mfa_challenges", "token_hash, consumed_at, session_id"),
    recoveryCodes: await of("recovery_codes", "id, code_hash, used_at"),
    links: await of("sign_in_links", "token_hash, consumed_at"),
    events: await of("account_events", "type"),
    outbox: await rows("SELECT id FROM outbox WHERE recipient = ?", email),
    secondFactor: await snapshotOf(limiterName.secondFactor(accountId)),
    firstFactor: await snapshotOf(limiterName.firstFactor(await firstFactorKey(email))),
  };
}

interface Endpoint {
  name: string;
  /** The Limiter methods on this endpoint's path; each is broken in turn. */
  uses: readonly LimiterMethod[];
  /** Builds the fixture with the healthy app; returns how to send the request and read the state. */
  prepare(): Promise<{ send(fetcher: Fetcher): Promise<Response>; state(): Promise<unknown> }>;
}

const endpoints: Endpoint[] = [
  {
    name: "POST /auth/signup",
    uses: ["ipRequest"],
    async prepare() {
      const email = freshEmail("fc-signup");
      const client = new ApiClient(healthy);
      return {
        send: (f) => sameClient(f, client).call("POST", "/auth/signup", { email, password: PASSWORD }),
        state: async () => ({
          accounts: await rows("SELECT id FROM accounts WHERE email = ?", email),
          sessions: await rows("SELECT COUNT(*) AS n FROM sessions"),
        }),
      };
    },
  },
  {
    name: "POST /auth/link",
    uses: ["ipRequest"],
    async prepare() {
      const { email, accountId, client } = await enrolledAccount(healthy, clock.t);
      return {
        send: (f) => sameClient(f, client).call("POST", "/auth/link", { email }),
        state: () => accountState(accountId, email),
      };
    },
  },
  {
    name: "POST /auth/password",
    uses: ["ipRequest", "firstFactor"],
    async prepare() {
      const client = new ApiClient(healthy);
      const { email } = await client.signUp(freshEmail("fc-password"));
      const accountId = (await rows("SELECT id FROM accounts WHERE email = ?", email))[0]!.id as string;
      return {
        send: (f) => sameClient(f, client).call("POST", "/auth/password", { email, password: PASSWORD }),
        state: () => accountState(accountId, email),
      };
    },
  },
  {
    name: "POST /auth/password/mfa",
    uses: ["ipRequest", "secondFactor"],
    async prepare() {
      const { email, accountId, secret } = await enrolledAccount(healthy, clock.t);
      const client = await challenged(healthy, email);
      return {
        send: (f) =>
          sameClient(f, client).call("POST", "/auth/password/mfa", {
            otp: codeAt(secret, clock.t + 30_000),
            challenge: client.challenge,
          }),
        state: () => accountState(accountId, email),
      };
    },
  },
  {
    name: "PUT /api/v1/account/mfa",
    uses: ["ipRequest", "secondFactor"],
    async prepare() {
      const client = new ApiClient(healthy);
      const { email } = await client.signUp(freshEmail("fc-enroll"));
      const accountId = (await rows("SELECT id FROM accounts WHERE email = ?", email))[0]!.id as string;
      const start = await client.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa");
      const secret = start.body.mfa.secret;
      return {
        send: (f) => sameClient(f, client).call("PUT", "/api/v1/account/mfa", { token: codeAt(secret, clock.t) }),
        state: () => accountState(accountId, email),
      };
    },
  },
  {
    name: "POST /api/v1/account/mfa/recovery-codes",
    uses: ["secondFactor"],
    async prepare() {
      const { email, accountId, secret, client } = await enrolledAccount(healthy, clock.t);
      return {
        send: (f) =>
          sameClient(f, client).call("POST", "/api/v1/account/mfa/recovery-codes", {
            otp: codeAt(secret, clock.t + 30_000),
          }),
        state: () => accountState(accountId, email),
      };
    },
  },
  {
    name: "DELETE /api/v1/account/mfa",
    uses: ["firstFactor"],
    async prepare() {
      const { email, accountId, client } = await enrolledAccount(healthy, clock.t);
      return {
        send: (f) => sameClient(f, client).call("DELETE", "/api/v1/account/mfa", { sudo_password: PASSWORD }),
        state: () => accountState(accountId, email),
      };
    },
  },
];

for (const endpoint of endpoints) {
  describe(`${endpoint.name} when the Limiter fails`, { timeout: SLOW_TEST_MS }, () => {
    let fixture: Awaited<ReturnType<Endpoint["prepare"]>>;
    beforeAll(async () => {
      fixture = await endpoint.prepare();
    }, SLOW_TEST_MS);

    for (const method of endpoint.uses) {
      for (const mode of MODES) {
        it(`answers 503 TEMPORARILY_UNAVAILABLE and writes nothing when ${method} ${mode === "throw" ? "throws" : "times out"}`, async () => {
          const before = await fixture.state();

          const res = await fixture.send(broken([method], mode));

          expect(res.status).toBe(503);
          expect(await res.json()).toMatchObject({ error: { code: "TEMPORARILY_UNAVAILABLE" } });
          expect(res.headers.has("Set-Cookie")).toBe(false);
          expect(await fixture.state()).toEqual(before);
        });
      }
    }
  });
}

describe("counters across a Limiter failure", { timeout: SLOW_TEST_MS }, () => {
  async function threeWrongCodes() {
    const { email, accountId, secret } = await enrolledAccount(healthy, clock.t);
    const client = await challenged(healthy, email);
    for (let i = 0; i < 3; i++) {
      expectError(await client.mfa({ otp: wrongCodeAt(secret, clock.t) }), 401, "MFA_OTP_INVALID");
    }
    return { accountId, secret, client };
  }

  it("keeps the account's failure count when a correct code meets a failing Limiter (no reset)", async () => {
    const { accountId, secret, client } = await threeWrongCodes();
    const before = await snapshotOf(limiterName.secondFactor(accountId));
    expect(before.secondFactor?.consecutiveFailures).toBe(3);

    const r = await sameClient(broken(["secondFactor"], "throw"), client).mfa({
      otp: codeAt(secret, clock.t + 30_000),
    });

    expectError(r, 503, "TEMPORARILY_UNAVAILABLE");
    expect(await snapshotOf(limiterName.secondFactor(accountId))).toEqual(before);
  });

  it("leaves the challenge unspent: once the Limiter is back, the same challenge and code succeed", async () => {
    const { accountId, secret, client } = await threeWrongCodes();
    const code = { otp: codeAt(secret, clock.t + 30_000) };
    expect((await sameClient(broken(["secondFactor"], "hang"), client).mfa(code)).status).toBe(503);

    const r = await onChallenge(healthy, client.challenge!).mfa(code);

    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await snapshotOf(limiterName.secondFactor(accountId))).secondFactor?.consecutiveFailures).toBe(0);
  });
});
