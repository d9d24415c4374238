/**
 * The counting rules of src/limits/policy.ts as pure functions: no Durable Object, no HTTP.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import authConfig from "../../config/auth";
import {
  type ChallengeState,
  type FirstFactorState,
  type IpBucketState,
  lockSeconds,
  recordFirstFactor,
  recordSecondFactor,
  type SecondFactorAttempt,
  type SecondFactorState,
  secondsUntil,
  takeIpToken,
  undoAcceptance,
} from "../../src/limits/policy";

const limits = authConfig.limits;
const T0 = 1_800_000_000_000;

const wrongTotp = (now: number, challengeId?: string): SecondFactorAttempt => ({
  now,
  challengeId,
  challengeExpiresAt: challengeId ? now + 300_000 : undefined,
  result: { kind: "totp", credentialId: "cred", step: null, floorStep: 10 },
});
const rightTotp = (now: number, step = Math.floor(now / 30_000)): SecondFactorAttempt => ({
  now,
  result: { kind: "totp", credentialId: "cred", step, floorStep: 10 },
});

/** Feeds attempts through recordSecondFactor, carrying state like the Durable Object does. */
function run(attempts: SecondFactorAttempt[], start: { state?: SecondFactorState; challenge?: ChallengeState } = {}) {
  let state = start.state;
  let challenge = start.challenge;
  let lastStep: number | undefined;
  const verdicts = attempts.map((attempt) => {
    const out = recordSecondFactor(limits, attempt, { state, challenge, lastStep });
    state = out.state;
    challenge = out.challenge;
    lastStep = out.lastStep;
    return out.verdict;
  });
  return { verdicts, state: state!, challenge, lastStep };
}

describe("lockSeconds", () => {
  it("doubles from 15 min and stops at 24 h", () => {
    const seconds = Array.from({ length: 10 }, (_, i) => lockSeconds(limits, i + 1));
    expect(seconds).toEqual([900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400, 86400]);
  });
});

describe("recordSecondFactor", () => {
  it("locks at the 10th consecutive failure and reports that attempt as the one that locked", () => {
    const { verdicts, state } = run(Array.from({ length: 10 }, () => wrongTotp(T0)));
    expect(verdicts.slice(0, 9).every((v) => v.outcome === "rejected" && !v.lockedNow)).toBe(true);
    expect(verdicts[9]).toEqual({ outcome: "rejected", lockedNow: true });
    expect(state).toEqual({
      received: 10,
      consecutiveFailures: 10,
      locks: 1,
      lockedUntil: T0 + 900_000,
      disabled: false,
    });
  });

  it("answers a correct code during the lock with the same locked verdict and leaves the counters alone", () => {
    const locked = run(Array.from({ length: 10 }, () => wrongTotp(T0))).state;
    const { verdicts, state, lastStep } = run([rightTotp(T0 + 60_000)], { state: locked });
    expect(verdicts).toEqual([{ outcome: "locked", retryAfterSeconds: 840 }]);
    expect(state).toEqual({ ...locked, received: 11 });
    expect(lastStep).toBeUndefined();
  });

  it("accepts a correct code after the lock, resets the counters and reports the unlock", () => {
    const locked = run(Array.from({ length: 10 }, () => wrongTotp(T0))).state;
    const { verdicts, state } = run([rightTotp(T0 + 900_000)], { state: locked });
    expect(verdicts).toMatchObject([{ outcome: "accepted", unlocked: true }]);
    expect(state).toMatchObject({ consecutiveFailures: 0, locks: 0, lockedUntil: 0, disabled: false });
  });

  it("disables the factor at the 100th consecutive failure, and a correct code a year later is still locked", () => {
    let state: SecondFactorState | undefined;
    let now = T0;
    for (let lock = 1; lock <= 10; lock++) {
      state = run(
        Array.from({ length: 10 }, () => wrongTotp(now)),
        { state },
      ).state;
      now = Math.max(now, state.lockedUntil);
    }
    expect(state).toMatchObject({ consecutiveFailures: 100, locks: 9, disabled: true });
    const later = run([rightTotp(now + 365 * 24 * 3600 * 1000)], { state });
    expect(later.verdicts).toEqual([{ outcome: "locked", retryAfterSeconds: limits.secondFactorMaxLockSeconds }]);
    expect(later.state.consecutiveFailures).toBe(100);
  });

  it("voids a challenge after 5 wrong codes without counting the later attempts as failures", () => {
    const attempts = [...Array.from({ length: 5 }, () => wrongTotp(T0, "ch")), { ...rightTotp(T0), challengeId: "ch" }];
    const { verdicts, state, challenge } = run(attempts);
    expect(verdicts[5]).toEqual({ outcome: "challenge_exhausted" });
    expect(challenge?.attempts).toBe(5);
    expect(state.consecutiveFailures).toBe(5);
  });

  it("treats a step at or below the replay floor as a replay, not a failure", () => {
    const { verdicts, state } = run([rightTotp(T0, 10)]);
    expect(verdicts).toEqual([{ outcome: "replayed" }]);
    expect(state.consecutiveFailures).toBe(0);
  });

  it("counts wrong recovery codes like wrong TOTP codes", () => {
    const wrongRecovery = { now: T0, result: { kind: "recovery" as const, matched: false } };
    const { state } = run([...Array.from({ length: 5 }, () => wrongTotp(T0)), ...Array(5).fill(wrongRecovery)]);
    expect(state).toMatchObject({ consecutiveFailures: 10, locks: 1 });
  });
});

describe("recordFirstFactor", () => {
  const failAt = (times: number[], start?: FirstFactorState) =>
    times.reduce<FirstFactorState | undefined>((s, t) => recordFirstFactor(limits, t, false, s).state, start);

  it("refuses the 11th attempt within 15 min until the oldest failure leaves the window", () => {
    const state = failAt(Array.from({ length: 10 }, (_, i) => T0 + i * 60_000));
    const { verdict } = recordFirstFactor(limits, T0 + 10 * 60_000, true, state);
    expect(verdict).toEqual({ ok: false, retryAfterSeconds: 300 });
  });

  it("forgets failures older than 15 min", () => {
    const state = failAt(Array.from({ length: 10 }, () => T0));
    expect(recordFirstFactor(limits, T0 + 900_000, false, state).verdict).toEqual({ ok: true });
  });

  it("clears the failures on a success inside the limit", () => {
    const state = failAt(Array.from({ length: 9 }, () => T0));
    expect(recordFirstFactor(limits, T0, true, state).state.failures).toEqual([]);
  });
});

describe("takeIpToken", () => {
  const take = (times: number[], start?: IpBucketState) =>
    times.reduce<{ state?: IpBucketState; verdicts: unknown[] }>(
      (acc, t) => {
        const out = takeIpToken(limits, t, acc.state);
        return { state: out.state, verdicts: [...acc.verdicts, out.verdict] };
      },
      { state: start, verdicts: [] },
    );

  it("allows 30 requests at once, then refuses with Retry-After: 2 (one token per 2 s)", () => {
    const { verdicts } = take(Array(31).fill(T0));
    expect(verdicts.slice(0, 30).every((v) => (v as { ok: boolean }).ok)).toBe(true);
    expect(verdicts[30]).toEqual({ ok: false, retryAfterSeconds: 2 });
  });

  it("refuses without draining further: a refused request costs no token", () => {
    const { state } = take([...Array(30).fill(T0), ...Array(5).fill(T0 + 1000)]);
    expect(state?.tokens).toBeCloseTo(0.5, 9);
    expect(state?.received).toBe(35);
  });
});

describe("Retry-After values", () => {
  it("are whole seconds ≥ 1 and never earlier than the exact wait (to the ms), for any spacing of requests", () => {
    let refusals = 0;
    const gap = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3_000 }));
    fc.assert(
      fc.property(fc.array(gap, { minLength: 31, maxLength: 80 }), (gaps) => {
        let state: IpBucketState | undefined;
        let now = T0;
        for (const g of gaps) {
          now += g;
          const out = takeIpToken(limits, now, state);
          state = out.state;
          if (out.verdict.ok) continue;
          refusals++;
          const exactMs = ((1 - state.tokens) * limits.ipWindowSeconds * 1000) / limits.ipRequests;
          expect(Number.isInteger(out.verdict.retryAfterSeconds)).toBe(true);
          expect(out.verdict.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          expect(out.verdict.retryAfterSeconds * 1000).toBeGreaterThanOrEqual(Math.round(exactMs));
          expect(out.verdict.retryAfterSeconds * 1000 - exactMs).toBeLessThan(1001);
        }
      }),
    );
    expect(refusals).toBeGreaterThan(0);
  });

  it("round up: 1 ms to wait is 1 s, 1001 ms is 2 s, and an elapsed deadline is still 1 s", () => {
    expect([secondsUntil(T0 + 1, T0), secondsUntil(T0 + 1001, T0), secondsUntil(T0 - 5, T0)]).toEqual([1, 2, 1]);
  });
});

describe("undoAcceptance", () => {
  it("restores the failure count, the challenge counter and the replay floor of an acceptance D1 could not store", () => {
    const before = run([wrongTotp(T0, "ch"), wrongTotp(T0, "ch")]);
    const step = Math.floor(T0 / 30_000);
    const out = recordSecondFactor(
      limits,
      { ...rightTotp(T0, step), challengeId: "ch" },
      {
        state: before.state,
        challenge: before.challenge,
        lastStep: 10,
      },
    );
    if (out.verdict.outcome !== "accepted") throw new Error("expected an acceptance");
    expect(out.state.consecutiveFailures).toBe(0);

    const restored = undoAcceptance(out.verdict.undo, {
      state: out.state,
      challenge: out.challenge,
      lastStep: out.lastStep,
    });

    expect(restored.state?.consecutiveFailures).toBe(2);
    expect(restored.challenge).toEqual(before.challenge);
    expect(restored.lastStep).toBe(10);
  });

  it("keeps failures counted after the acceptance and a later accepted step", () => {
    const step = Math.floor(T0 / 30_000);
    const out = recordSecondFactor(limits, rightTotp(T0, step), { state: run([wrongTotp(T0)]).state, lastStep: 10 });
    if (out.verdict.outcome !== "accepted") throw new Error("expected an acceptance");
    const later = { ...out.state, consecutiveFailures: 3 };

    const restored = undoAcceptance(out.verdict.undo, { state: later, lastStep: step + 1 });

    expect(restored.state?.consecutiveFailures).toBe(4);
    expect(restored.lastStep).toBe("keep");
  });
});
