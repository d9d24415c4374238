/**
 * Failing storage while managing an account: starting and confirming enrollment, turning MFA
 * off, regenerating recovery codes, revoking a session and signing out. Every D1 execution and
 * Limiter RPC fails in turn: 503, nothing half-written, counters intact, then the retry works.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD } from "../helpers/api";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import {
  expectConsistent,
  type FaultAccount,
  jsonRequest,
  newAccount,
  nextStep,
  rows,
  tokenWorks,
} from "../helpers/fault-accounts";
import { acceptedThenFailed, driveFaults, driven, type Flow, type Target } from "../helpers/fault-drive";
import { faultyWorld } from "../helpers/faults";
import { captureConsole } from "../helpers/log-capture";

const w = faultyWorld();
const TIMEOUT = 60_000;
let plain: FaultAccount;
let enrolled: FaultAccount;

beforeAll(async () => {
  plain = await newAccount(w);
  enrolled = await newAccount(w, { enrolled: true });
}, TIMEOUT);

// Each injected failure is logged by the app (see test/logs); kept out of this suite's output.
const quiet = captureConsole();
afterAll(() => {
  quiet.restore();
  console.log(`fault points driven:\n  ${driven.join("\n  ")}`);
});

/** A second session of the account, by password sign-in; returns its token and id. */
async function secondSession(a: FaultAccount): Promise<{ token: string; id: string }> {
  w.clock.now += 1000;
  const signIn = await w.send(jsonRequest("POST", "/auth/password", { email: a.email, password: PASSWORD }));
  const { token } = (await signIn.json()) as { token: string };
  const list = await w.send(jsonRequest("GET", "/api/v1/account/sessions", undefined, token));
  const { sessions } = (await list.json()) as { sessions: { id: string; current: boolean }[] };
  // Settles this minute's last_seen_at touch of the first session before the request under test.
  expect(await tokenWorks(w, a.client.token!)).toBe(true);
  return { token, id: sessions.find((s) => s.current)!.id };
}

async function pending(accountId: string) {
  return rows<{ id: string; claimed_by: string | null }>(
    "SELECT id, claimed_by FROM mfa_enrollments WHERE account_id = ?",
    accountId,
  );
}

const startEnrollment: Flow = {
  name: "starting enrollment (GET /api/v1/account/mfa)",
  async prepare() {
    w.clock.now += 1000;
    expect(await tokenWorks(w, plain.client.token!)).toBe(true);
    const before = await pending(plain.id);
    return {
      request: () => jsonRequest("GET", "/api/v1/account/mfa", undefined, plain.client.token),
      limiters: plain.limiters,
      async succeeded(res) {
        expect(res.status).toBe(200);
        const after = await pending(plain.id);
        expect(after).toHaveLength(1);
        expect(after[0]!.id).not.toBe(before[0]?.id);
        await expectConsistent(plain.id);
      },
    };
  },
};

const confirmEnrollment: Flow = {
  name: "confirming enrollment (PUT /api/v1/account/mfa)",
  async prepare() {
    const a = await newAccount(w);
    const start = await w.send(jsonRequest("GET", "/api/v1/account/mfa", undefined, a.client.token));
    const { secret } = ((await start.json()) as { mfa: { secret: string } }).mfa;
    for (let i = 0; i < 2; i++) {
      const wrong = { token: wrongCodeAt(secret, w.clock.now) };
      expect((await w.send(jsonRequest("PUT", "/api/v1/account/mfa", wrong, a.client.token))).status).toBe(401);
    }
    const request = () =>
      jsonRequest("PUT", "/api/v1/account/mfa", { token: codeAt(secret, w.clock.now) }, a.client.token);
    return {
      request,
      limiters: a.limiters,
      async failed() {
        // Not half-enrolled: the pending setup is still there, unclaimed, and nothing was confirmed.
        expect(await pending(a.id)).toEqual([expect.objectContaining({ claimed_by: null })]);
        expect(await rows("SELECT 1 FROM mfa_credentials WHERE account_id = ?", a.id)).toHaveLength(0);
        await expectConsistent(a.id);
      },
      nextStep() {
        w.clock.now += 30_000;
        return request();
      },
      async succeeded(res) {
        expect(((await res.json()) as { recovery_codes: string[] }).recovery_codes).toHaveLength(10);
        expect(await rows("SELECT 1 FROM mfa_credentials WHERE account_id = ?", a.id)).toHaveLength(1);
        expect(await pending(a.id)).toHaveLength(0);
        await expectConsistent(a.id);
      },
    };
  },
};

const disableMfa: Flow = {
  name: "turning MFA off (DELETE /api/v1/account/mfa)",
  async prepare() {
    const a = await newAccount(w, { enrolled: true });
    return {
      request: () => jsonRequest("DELETE", "/api/v1/account/mfa", { sudo_password: PASSWORD }, a.client.token),
      limiters: a.limiters,
      async failed() {
        expect(await rows("SELECT 1 FROM mfa_credentials WHERE account_id = ?", a.id)).toHaveLength(1);
        await expectConsistent(a.id);
      },
      async succeeded(res) {
        expect(res.status).toBe(204);
        expect(await rows("SELECT 1 FROM mfa_credentials WHERE account_id = ?", a.id)).toHaveLength(0);
        await expectConsistent(a.id);
      },
    };
  },
};

const regenerateCodes: Flow = {
  name: "regenerating recovery codes",
  async prepare() {
    const now = nextStep(w);
    const path = "/api/v1/account/mfa/recovery-codes";
    for (let i = 0; i < 2; i++) {
      const wrong = { otp: wrongCodeAt(enrolled.secret, now) };
      expect((await w.send(jsonRequest("POST", path, wrong, enrolled.client.token))).status).toBe(401);
    }
    const old = await rows<{ id: string }>("SELECT id FROM recovery_codes WHERE account_id = ?", enrolled.id);
    const request = () =>
      jsonRequest("POST", path, { otp: codeAt(enrolled.secret, w.clock.now) }, enrolled.client.token);
    return {
      request,
      limiters: enrolled.limiters,
      async failed() {
        // The old codes all still stand: none lost, none added.
        const kept = await rows<{ id: string }>("SELECT id FROM recovery_codes WHERE account_id = ?", enrolled.id);
        expect(kept.map((r) => r.id).sort()).toEqual(old.map((r) => r.id).sort());
      },
      nextStep() {
        w.clock.now += 30_000;
        return request();
      },
      async succeeded(res) {
        expect(((await res.json()) as { recovery_codes: string[] }).recovery_codes).toHaveLength(10);
        const fresh = await rows<{ id: string }>("SELECT id FROM recovery_codes WHERE account_id = ?", enrolled.id);
        const oldIds = new Set(old.map((r) => r.id));
        expect(fresh.filter((r) => oldIds.has(r.id))).toEqual([]);
        await expectConsistent(enrolled.id);
      },
    };
  },
};

/** Revoking another session, or signing this one out: afterwards it is fully live or fully dead. */
function revocation(kind: "delete" | "logout"): Flow {
  return {
    name: kind === "delete" ? "revoking a session (DELETE /api/v1/account/sessions/{id})" : "signing out",
    async prepare() {
      const target = await secondSession(plain);
      const request = () =>
        kind === "delete"
          ? jsonRequest("DELETE", `/api/v1/account/sessions/${target.id}`, undefined, plain.client.token)
          : jsonRequest("POST", "/auth/logout", undefined, target.token);
      return {
        request,
        limiters: plain.limiters,
        async failed() {
          // Fully live, not half revoked: the row is untouched and the token still works.
          const [row] = await rows<{ revoked_at: number | null }>(
            "SELECT revoked_at FROM sessions WHERE id = ?",
            target.id,
          );
          expect(row?.revoked_at).toBeNull();
          expect(await tokenWorks(w, target.token)).toBe(true);
        },
        async succeeded(res) {
          expect(res.status).toBe(204);
          const [row] = await rows<{ revoked_at: number | null }>(
            "SELECT revoked_at FROM sessions WHERE id = ?",
            target.id,
          );
          expect(row?.revoked_at).not.toBeNull();
          expect(await tokenWorks(w, target.token)).toBe(false);
          expect(await tokenWorks(w, plain.client.token!)).toBe(true);
        },
      };
    },
  };
}

describe("failing storage while managing an account", () => {
  const cases: [Flow, Target[]][] = [
    [startEnrollment, ["D1"]],
    [confirmEnrollment, ["D1", "Limiter"]],
    [disableMfa, ["D1", "Limiter"]],
    [regenerateCodes, ["D1", "Limiter"]],
    [revocation("delete"), ["D1"]],
    [revocation("logout"), ["D1"]],
  ];
  for (const [flow, targets] of cases) {
    for (const target of targets) {
      it(
        `${flow.name}: a ${target} failure at any call answers 503 and leaves no trace`,
        async () => {
          expect(await driveFaults(w, flow, target)).toBeGreaterThanOrEqual(target === "D1" ? 2 : 1);
        },
        TIMEOUT,
      );
    }
  }

  it("makes no Limiter call while starting enrollment, revoking a session or signing out", async () => {
    for (const flow of [startEnrollment, revocation("delete"), revocation("logout")]) {
      const attempt = await flow.prepare();
      w.rpc.reset();
      await attempt.succeeded(await w.send(attempt.request()));
      expect(w.rpc.log, flow.name).toEqual([]);
    }
  });

  // Known limitation, reported for src/limits (see test/faults/sign-in.test.ts).
  it("a D1 failure after the Limiter accepted a code leaves that code usable and the failure count as it was", () => {
    expect(acceptedThenFailed.length).toBeGreaterThan(0);
    for (const seen of acceptedThenFailed) {
      expect(seen.failuresAfter, seen.where).toBe(seen.failuresBefore);
      expect(seen.sameCodeRetryStatus, seen.where).toBe(200);
    }
  });
});
