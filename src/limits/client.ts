/**
 * @module limits/client
 * How the Worker asks the Limiter: one named object per key, every call bounded by a timeout,
 * and any failure turned into StorageUnavailableError (503) — the limits fail closed.
 */
import { StorageUnavailableError } from "../errors";
import type { Limiter } from "./limiter";
import type { AcceptanceUndo, SecondFactorAttempt, SecondFactorVerdict, Verdict } from "./policy";

/** A healthy call answers in milliseconds; past this the request fails closed instead of hanging. */
export const LIMITER_TIMEOUT_MS = 5_000;

export interface LimiterClient {
  secondFactor(accountId: string, attempt: SecondFactorAttempt): Promise<SecondFactorVerdict>;
  firstFactor(subjectKey: string, now: number, success: boolean): Promise<Verdict>;
  ipRequest(ip: string, now: number): Promise<Verdict>;
  resetSecondFactor(accountId: string): Promise<boolean>;
  undoSecondFactor(
    accountId: string,
    undo: AcceptanceUndo,
    context: { challengeId?: string; credentialId?: string },
  ): Promise<void>;
}

export const limiterName = {
  secondFactor: (accountId: string) => `mfa:${accountId}`,
  firstFactor: (subjectKey: string) => `pw:${subjectKey}`,
  ip: (ip: string) => `ip:${ip}`,
};

async function bounded<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`limiter call timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([call(), timeout]);
  } catch (err) {
    throw new StorageUnavailableError(err);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** `timeoutMs` exists for tests of the timeout; production uses the default. */
export function limiterClient(
  namespace: DurableObjectNamespace<Limiter>,
  { timeoutMs = LIMITER_TIMEOUT_MS }: { timeoutMs?: number } = {},
): LimiterClient {
  const stub = (name: string) => namespace.getByName(name);
  return {
    secondFactor: (accountId, attempt) =>
      bounded(
        () => stub(limiterName.secondFactor(accountId)).secondFactor(attempt) as Promise<SecondFactorVerdict>,
        timeoutMs,
      ),
    firstFactor: (subjectKey, now, success) =>
      bounded(() => stub(limiterName.firstFactor(subjectKey)).firstFactor(now, success) as Promise<Verdict>, timeoutMs),
    ipRequest: (ip, now) => bounded(() => stub(limiterName.ip(ip)).ipRequest(now) as Promise<Verdict>, timeoutMs),
    undoSecondFactor: (accountId, undo, context) =>
      bounded(
        () => stub(limiterName.secondFactor(accountId)).undoSecondFactor(undo, context) as Promise<void>,
        timeoutMs,
      ),
    resetSecondFactor: (accountId) =>
      bounded(() => stub(limiterName.secondFactor(accountId)).resetSecondFactor() as Promise<boolean>, timeoutMs),
  };
}
