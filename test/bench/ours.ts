/**
 * @module test/bench/ours
 * The requests the benchmark sends to edge-mfa. Valid codes need care: a credential accepts each
 * TOTP step once and only steps after the last accepted one (RFC 6238 §5.2), and the window is
 * ±1 step, so an account offers at most three fresh steps now and one more every 30 s. The
 * StepBook hands out (account, step) pairs in rotation, each account's steps in increasing order.
 * Wrong codes stay below the per-account lock (10 consecutive failures), one challenge each so
 * the per-challenge cap (5) is never reached.
 */
import { codeAt, wrongCodeAt } from "../helpers/authenticator.ts";
import { type ClientAddresses, expectAnswer, type Task } from "./load.ts";
import type { BenchAccount } from "./seed.ts";

const STEP_MS = 30_000;
/** Past this point in a step, the previous step is not offered: it may expire before the request lands. */
const LATE_IN_STEP_MS = 20_000;
/** Wrong codes per account over the whole run, below the lock at 10 consecutive failures. */
export const MAX_FAILURES_PER_ACCOUNT = 8;

export class StepBook {
  private cursor = 0;
  private readonly accounts: BenchAccount[];
  constructor(accounts: BenchAccount[]) {
    this.accounts = accounts;
  }

  /** The lowest step after the account's last one that the server accepts at `now`, if any. */
  static stepFor(account: BenchAccount, now: number): number | undefined {
    const current = Math.floor(now / STEP_MS);
    const lowest = now % STEP_MS > LATE_IN_STEP_MS ? current : current - 1;
    const step = Math.max(account.lastStep + 1, lowest);
    return step <= current + 1 ? step : undefined;
  }

  /** The next account (in rotation) with a fresh step, and a seeded challenge when asked. */
  take(needChallenge: boolean, now = Date.now()): BenchAccount | undefined {
    for (let tried = 0; tried < this.accounts.length; tried++) {
      const account = this.accounts[this.cursor++ % this.accounts.length]!;
      if (needChallenge && account.challenges.length === 0) continue;
      if (StepBook.stepFor(account, now) !== undefined) return account;
    }
    return undefined;
  }

  /** Spends the account's next step and returns its code. */
  static claimCode(account: BenchAccount, now = Date.now()): string {
    const step = StepBook.stepFor(account, now);
    if (step === undefined) throw new Error(`no fresh TOTP step left for ${account.email}`);
    account.lastStep = step;
    return codeAt(account.secret, step * STEP_MS + 1);
  }
}

export const floorTasks = () => (): Task => async (send) =>
  expectAnswer(await send("GET", "/health"), 200, "GET /health");

/** POST /auth/password/mfa with a valid, fresh code and a seeded challenge. */
export function validCodeTasks(book: StepBook, ips: ClientAddresses) {
  return (): Task | undefined => {
    const account = book.take(true);
    if (!account) return undefined;
    const challenge = account.challenges.pop()!;
    const otp = StepBook.claimCode(account);
    const ip = ips.next();
    return async (send) => {
      const answer = await send("POST", "/auth/password/mfa", {
        headers: { "cf-connecting-ip": ip },
        json: { otp, challenge },
      });
      expectAnswer(answer, 200, "valid code");
    };
  };
}

/** POST /auth/password/mfa with a code wrong for every step in the window. */
export function wrongCodeTasks(accounts: BenchAccount[], ips: ClientAddresses) {
  let cursor = 0;
  return (): Task | undefined => {
    for (let tried = 0; tried < accounts.length; tried++) {
      const account = accounts[cursor++ % accounts.length]!;
      if (account.failures >= MAX_FAILURES_PER_ACCOUNT || account.challenges.length === 0) continue;
      account.failures++;
      const challenge = account.challenges.pop()!;
      const otp = wrongCodeAt(account.secret, Date.now());
      const ip = ips.next();
      return async (send) => {
        const answer = await send("POST", "/auth/password/mfa", {
          headers: { "cf-connecting-ip": ip },
          json: { otp, challenge },
        });
        expectAnswer(answer, 401, "wrong code", "MFA_OTP_INVALID");
      };
    }
    return undefined;
  };
}

/** GET /api/v1/account/security with seeded aal-2 sessions in rotation. */
export function securityTasks(tokens: readonly string[]) {
  let cursor = 0;
  return (): Task => {
    const token = tokens[cursor++ % tokens.length]!;
    return async (send) => {
      const answer = await send("GET", "/api/v1/account/security", { headers: { authorization: `Bearer ${token}` } });
      expectAnswer(answer, 200, "security overview");
    };
  };
}

/** The whole sign-in: POST /auth/password (scrypt, challenge), then POST /auth/password/mfa. */
export function signInFlowTasks(book: StepBook, ips: ClientAddresses, password: string) {
  return (): Task | undefined => {
    const account = book.take(false);
    if (!account) return undefined;
    const ip = ips.next(2);
    return async (send) => {
      const first = await send("POST", "/auth/password", {
        headers: { "cf-connecting-ip": ip },
        json: { email: account.email, password },
      });
      expectAnswer(first, 200, "password step");
      const { challenge } = JSON.parse(first.body) as { challenge?: string };
      if (!challenge) throw new Error(`password step: no challenge in ${first.body.slice(0, 120)}`);
      const second = await send("POST", "/auth/password/mfa", {
        headers: { "cf-connecting-ip": ip },
        json: { otp: StepBook.claimCode(account), challenge },
      });
      expectAnswer(second, 200, "code step");
    };
  };
}
