/**
 * Drives one flow through every storage failure it can meet: counts the flow's D1 executions
 * (or Limiter RPCs) on a healthy run, then for each N makes call N fail and checks the answer
 * (503 TEMPORARILY_UNAVAILABLE), that nothing was written, that the account's counters held,
 * and that the same request succeeds once the fault clears.
 */
import { expect } from "vitest";
import type { FirstFactorState, SecondFactorState } from "../../src/limits/policy";
import type { FaultyWorld } from "./faults";
import { captureState, readAnswer, type State } from "./hostile";

export interface Attempt {
  /** The request under test; called again for the retry (a Request body is single-use). */
  request(): Request;
  /** The Limiter objects of the account: its second-factor and first-factor names. */
  limiters: { mfa: string; pw: string };
  /** Checks the stored state after the request succeeded. */
  succeeded(res: Response): Promise<void>;
  /** Flow-specific checks of the state right after the 503 (nothing issued, spent or half-done). */
  failed?(): Promise<void>;
  /** TOTP flows: the same request one time step later, for when the code was spent by the Limiter. */
  nextStep?(): Request;
}

export interface Flow {
  name: string;
  /** Fresh state for one attempt, made on the healthy app. */
  prepare(): Promise<Attempt>;
}

export type Target = "D1" | "Limiter";

/**
 * A code the Limiter accepted before D1 failed: what the retry with the same code answered and
 * how the failure count moved. Kept for the known-limitation test (src/limits records an
 * acceptance before D1 commits it; reported, not ours to fix).
 */
export interface AcceptedThenFailed {
  where: string;
  sameCodeRetryStatus: number;
  failuresBefore: number;
  failuresAfter: number;
}
export const acceptedThenFailed: AcceptedThenFailed[] = [];

const secondFactor = (s: State, name: string) => s.limiters[name]?.secondFactor as SecondFactorState | undefined;
const firstFactorFailures = (s: State, name: string) =>
  (s.limiters[name]?.firstFactor as FirstFactorState | undefined)?.failures.length ?? 0;

async function expectSuccess(attempt: Attempt, res: Response, where: string) {
  expect(res.status, `${where}: retry answered ${res.status} ${await res.clone().text()}`).toBeLessThan(300);
  await attempt.succeeded(res);
}

/** Every fault point driven, as `flow: target [kind, kind, …]`, for the file's summary line. */
export const driven: string[] = [];

/** Runs the flow once on healthy storage; returns how many calls `target` took. */
export async function countCalls(w: FaultyWorld, flow: Flow, target: Target): Promise<number> {
  w.d1.reset();
  w.rpc.reset();
  const attempt = await flow.prepare();
  w.d1.reset();
  w.rpc.reset();
  const res = await w.send(attempt.request());
  const plan = target === "D1" ? w.d1 : w.rpc;
  const calls = plan.calls;
  driven.push(
    `${flow.name}: ${target} [${plan.log.map((e) => e.what.replace(/^(\w+):.*\.(\w+)$/, "$1:….$2")).join(", ")}]`,
  );
  await expectSuccess(attempt, res, `${flow.name} (healthy)`);
  return calls;
}

/** Fails each of the flow's `target` calls in turn; returns the number of calls driven. */
export async function driveFaults(w: FaultyWorld, flow: Flow, target: Target): Promise<number> {
  const total = await countCalls(w, flow, target);
  const plan = target === "D1" ? w.d1 : w.rpc;
  for (let n = 1; n <= total; n++) {
    w.d1.reset();
    w.rpc.reset();
    const attempt = await flow.prepare();
    const names = [attempt.limiters.mfa, attempt.limiters.pw];
    const before = await captureState(names);
    w.d1.reset();
    w.rpc.reset();
    plan.failAt = n;
    const res = await w.send(attempt.request());
    const where = `${flow.name}: ${target} call ${n} of ${total} (${plan.log[n - 1]?.what ?? "never reached"})`;
    expect(plan.log[n - 1]?.failed, `${where}: the flow took another path`).toBe(true);
    const answer = await readAnswer(res, { unavailable: true });
    expect(answer.code, where).toBe("TEMPORARILY_UNAVAILABLE");
    const after = await captureState(names);

    // Nothing written: no session, no challenge, no spent code, no half-confirmed credential.
    for (const [table, rows] of Object.entries(before.tables))
      expect(after.tables[table], `${where}: ${table}`).toBe(rows);
    expect(firstFactorFailures(after, attempt.limiters.pw), `${where}: a failure was counted`).toBeLessThanOrEqual(
      firstFactorFailures(before, attempt.limiters.pw),
    );
    const accepted = target === "D1" && w.rpc.log.some((e) => e.what.endsWith(".secondFactor") && !e.failed);
    const failuresBefore = secondFactor(before, attempt.limiters.mfa)?.consecutiveFailures ?? 0;
    const failuresAfter = secondFactor(after, attempt.limiters.mfa)?.consecutiveFailures ?? 0;
    if (!accepted) expect(failuresAfter, `${where}: second-factor failures moved`).toBe(failuresBefore);
    await attempt.failed?.();

    w.d1.reset();
    w.rpc.reset();
    let retry = await w.send(attempt.request());
    if (accepted) {
      acceptedThenFailed.push({ where, sameCodeRetryStatus: retry.status, failuresBefore, failuresAfter });
      // The Limiter has spent this time step; the person types the next code.
      if (retry.status >= 300 && attempt.nextStep) retry = await w.send(attempt.nextStep());
    }
    await expectSuccess(attempt, retry, where);
  }
  return total;
}
