/**
 * Failing storage during sign-in: password (with and without MFA), TOTP verification, recovery
 * code and sign-in link. Every D1 execution and every Limiter RPC fails in turn: the answer is
 * 503, nothing is issued or spent, the counters hold, and the same request then succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import {
  expectConsistent,
  type FaultAccount,
  jsonRequest,
  newAccount,
  nextStep,
  rows,
  unusedRecoveryCodes,
} from "../helpers/fault-accounts";
import { acceptedThenFailed, driveFaults, driven, type Flow } from "../helpers/fault-drive";
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

const password = (a: FaultAccount) =>
  jsonRequest("POST", "/auth/password", { email: a.email, password: "correct horse battery staple" });

async function sessionsOf(accountId: string) {
  return rows<{ id: string; aal: number }>("SELECT id, aal FROM sessions WHERE account_id = ?", accountId);
}

/** A fresh challenge for the enrolled account, with two wrong codes already counted against it. */
async function challengeWithFailures(wrong: () => Record<string, string>): Promise<string> {
  nextStep(w);
  const first = await w.send(password(enrolled));
  const { challenge } = (await first.json()) as { challenge: string };
  for (let i = 0; i < 2; i++) {
    const res = await w.send(jsonRequest("POST", "/auth/password/mfa", { ...wrong(), challenge }));
    expect(res.status).toBe(401);
  }
  return challenge;
}

const signInPlain: Flow = {
  name: "password sign-in without MFA",
  async prepare() {
    w.clock.now += 1000;
    const sessions = (await sessionsOf(plain.id)).length;
    return {
      request: () => password(plain),
      limiters: plain.limiters,
      async succeeded(res) {
        expect(((await res.json()) as { token?: string }).token).toBeTruthy();
        expect(await sessionsOf(plain.id)).toHaveLength(sessions + 1);
      },
    };
  },
};

const signInEnrolled: Flow = {
  name: "password sign-in with MFA",
  async prepare() {
    w.clock.now += 1000;
    const challenges = await rows("SELECT 1 FROM mfa_challenges WHERE account_id = ?", enrolled.id);
    return {
      request: () => password(enrolled),
      limiters: enrolled.limiters,
      async succeeded(res) {
        const body = (await res.json()) as { challenge?: string; token?: string };
        expect(body.challenge).toBeTruthy();
        expect(body.token).toBeUndefined();
        expect(await rows("SELECT 1 FROM mfa_challenges WHERE account_id = ?", enrolled.id)).toHaveLength(
          challenges.length + 1,
        );
      },
    };
  },
};

const verifyTotp: Flow = {
  name: "MFA verification with a TOTP code",
  async prepare() {
    const challenge = await challengeWithFailures(() => ({ otp: wrongCodeAt(enrolled.secret, w.clock.now) }));
    const request = () =>
      jsonRequest("POST", "/auth/password/mfa", { otp: codeAt(enrolled.secret, w.clock.now), challenge });
    return {
      request,
      limiters: enrolled.limiters,
      nextStep() {
        w.clock.now += 30_000;
        return request();
      },
      async succeeded(res) {
        expect(res.status).toBe(200);
        const [consumed] = await rows<{ session_id: string }>(
          "SELECT session_id FROM mfa_challenges WHERE account_id = ? AND consumed_at IS NOT NULL ORDER BY created_at DESC LIMIT 1",
          enrolled.id,
        );
        expect((await sessionsOf(enrolled.id)).find((s) => s.id === consumed?.session_id)?.aal).toBe(2);
        await expectConsistent(enrolled.id);
      },
    };
  },
};

let nextRecoveryCode = 0;
const recoveryCode: Flow = {
  name: "sign-in with a recovery code",
  async prepare() {
    const challenge = await challengeWithFailures(() => ({ recovery_code: "ZZZZ-ZZZZ-ZZZZ-ZZZZ" }));
    const code = enrolled.recoveryCodes[nextRecoveryCode]!;
    const unused = await unusedRecoveryCodes(enrolled.id);
    return {
      request: () => jsonRequest("POST", "/auth/password/mfa", { recovery_code: code, challenge }),
      limiters: enrolled.limiters,
      async failed() {
        // No recovery code lost.
        expect(await unusedRecoveryCodes(enrolled.id)).toBe(unused);
      },
      async succeeded(res) {
        expect(res.status).toBe(200);
        expect(await unusedRecoveryCodes(enrolled.id)).toBe(unused - 1);
        nextRecoveryCode++;
        await expectConsistent(enrolled.id);
      },
    };
  },
};

async function linkFlow(account: () => FaultAccount, expectChallenge: boolean): Promise<Flow> {
  return {
    name: `sign-in link${expectChallenge ? " with MFA" : ""}`,
    async prepare() {
      w.clock.now += 1000;
      const a = account();
      expect((await w.send(jsonRequest("POST", "/auth/link", { email: a.email }))).status).toBe(202);
      const [mail] = await rows<{ body: string }>(
        "SELECT body FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1",
        a.email,
      );
      const token = decodeURIComponent(/token=(\S+)/.exec(mail!.body)![1]!);
      return {
        request: () => jsonRequest("GET", `/auth/link/callback?token=${encodeURIComponent(token)}`),
        limiters: a.limiters,
        async succeeded(res) {
          const body = (await res.json()) as { token?: string; challenge?: string };
          expect(Boolean(body.challenge)).toBe(expectChallenge);
          expect(Boolean(body.token)).toBe(!expectChallenge);
          const [row] = await rows<{ verified: number | null }>(
            "SELECT email_verified_at AS verified FROM accounts WHERE id = ?",
            a.id,
          );
          expect(row?.verified).not.toBeNull();
          const again = await w.send(jsonRequest("GET", `/auth/link/callback?token=${encodeURIComponent(token)}`));
          expect(again.status).toBe(401);
        },
      };
    },
  };
}

describe("failing storage during sign-in", () => {
  for (const [flow, targets] of [
    [signInPlain, ["D1", "Limiter"]],
    [signInEnrolled, ["D1", "Limiter"]],
    [verifyTotp, ["D1", "Limiter"]],
    [recoveryCode, ["D1", "Limiter"]],
  ] as const) {
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

  for (const mfa of [false, true]) {
    it(
      `sign-in link${mfa ? " with MFA" : ""}: a D1 or Limiter failure at any call answers 503 and leaves the link unspent`,
      async () => {
        const flow = await linkFlow(() => (mfa ? enrolled : plain), mfa);
        expect(await driveFaults(w, flow, "D1")).toBeGreaterThanOrEqual(2);
        expect(await driveFaults(w, flow, "Limiter")).toBeGreaterThanOrEqual(1);
      },
      TIMEOUT,
    );
  }

  // Known limitation, reported for src/limits: the Limiter records an accepted code (replay floor,
  // failure reset) before D1 commits the sign-in, so a D1 failure after it spends the code and
  // clears the failure count. Remove `.fails` once the Limiter can take an acceptance back.
  it("a D1 failure after the Limiter accepted a code leaves that code usable and the failure count as it was", () => {
    expect(acceptedThenFailed.length).toBeGreaterThan(0);
    for (const seen of acceptedThenFailed) {
      expect(seen.failuresAfter, seen.where).toBe(seen.failuresBefore);
      expect(seen.sameCodeRetryStatus, seen.where).toBe(200);
    }
  });
});
