/**
 * @module limits/policy
 * The counting rules as pure functions of (limits, now, previous state): what the Limiter
 * Durable Object applies atomically, testable without one.
 */
import type { AuthPolicy } from "../../config/auth";

type Limits = AuthPolicy["limits"];

/** `retryAfterSeconds` is a whole number ≥ 1 (RFC 9110 §10.2.3 delay-seconds), rounded up. */
export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Whole seconds from `now` until `at` (ms), rounded up so a client that waits is never early. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

export interface SecondFactorState {
  /** Every attempt this object was asked to judge (the soak compares it with what was sent). */
  received: number;
  consecutiveFailures: number;
  /** Locks since the last success; each doubles the next lock's length. */
  locks: number;
  lockedUntil: number;
  /** Set at the NIST ceiling: no further attempts until an operator resets the factor. */
  disabled: boolean;
}

export interface ChallengeState {
  attempts: number;
  expiresAt: number;
}

export type SecondFactorResult =
  /** `step` is the matched TOTP step or null; `floorStep` is the credential's last_used_step in D1. */
  | { kind: "totp"; credentialId: string; step: number | null; floorStep: number }
  | { kind: "recovery"; matched: boolean };

export interface SecondFactorAttempt {
  now: number;
  /** The hashed challenge; absent for enrollment confirmation and step-up checks. */
  challengeId?: string;
  challengeExpiresAt?: number;
  result: SecondFactorResult;
}

export type SecondFactorVerdict =
  | { outcome: "accepted"; unlocked: boolean; undo: AcceptanceUndo }
  | { outcome: "rejected"; lockedNow: boolean }
  | { outcome: "replayed" }
  | { outcome: "locked"; retryAfterSeconds: number }
  | { outcome: "challenge_exhausted" };

const emptySecondFactor = (): SecondFactorState => ({
  received: 0,
  consecutiveFailures: 0,
  locks: 0,
  lockedUntil: 0,
  disabled: false,
});

export function lockSeconds(limits: Limits, lockNumber: number): number {
  const doubled = limits.secondFactorFirstLockSeconds * 2 ** Math.max(0, lockNumber - 1);
  return Math.min(doubled, limits.secondFactorMaxLockSeconds);
}

export function recordSecondFactor(
  limits: Limits,
  attempt: SecondFactorAttempt,
  previous: { state?: SecondFactorState; challenge?: ChallengeState; lastStep?: number },
): { verdict: SecondFactorVerdict; state: SecondFactorState; challenge?: ChallengeState; lastStep?: number } {
  const { now, result } = attempt;
  const state = { ...(previous.state ?? emptySecondFactor()) };
  state.received++;
  let challenge = previous.challenge ? { ...previous.challenge } : undefined;
  if (attempt.challengeId && !challenge) challenge = { attempts: 0, expiresAt: attempt.challengeExpiresAt ?? now };
  const keep = (verdict: SecondFactorVerdict, lastStep = previous.lastStep) => ({
    verdict,
    state,
    challenge,
    lastStep,
  });

  // The lock is checked first, so a correct code during a lock gets the same answer (no oracle).
  // A disabled factor never unlocks by time; the longest lock is the honest "not before" answer.
  if (state.disabled) return keep({ outcome: "locked", retryAfterSeconds: limits.secondFactorMaxLockSeconds });
  if (state.lockedUntil > now)
    return keep({ outcome: "locked", retryAfterSeconds: secondsUntil(state.lockedUntil, now) });
  if (challenge && challenge.attempts >= limits.challengeMaxAttempts) return keep({ outcome: "challenge_exhausted" });

  const matched = result.kind === "totp" ? result.step !== null : result.matched;
  if (matched) {
    if (result.kind === "totp") {
      const floor = Math.max(previous.lastStep ?? -1, result.floorStep);
      // RFC 6238 §5.2: a step at or before the last accepted one is a replay; not a guess, so not counted.
      if (result.step! <= floor) return keep({ outcome: "replayed" });
    }
    const unlocked = state.locks > 0;
    const undo: AcceptanceUndo = {
      consecutiveFailures: state.consecutiveFailures,
      locks: state.locks,
      lockedUntil: state.lockedUntil,
      challenge: previous.challenge,
      previousStep: previous.lastStep,
      acceptedStep: result.kind === "totp" ? result.step! : undefined,
    };
    state.consecutiveFailures = 0;
    state.locks = 0;
    state.lockedUntil = 0;
    const lastStep = result.kind === "totp" ? result.step! : previous.lastStep;
    return { verdict: { outcome: "accepted", unlocked, undo }, state, challenge: undefined, lastStep };
  }

  state.consecutiveFailures++;
  if (challenge) challenge.attempts++;
  let lockedNow = false;
  if (state.consecutiveFailures >= limits.secondFactorMaxConsecutiveFailures) {
    state.disabled = true;
    lockedNow = true;
  } else if (state.consecutiveFailures % limits.secondFactorFailuresBeforeLock === 0) {
    state.locks++;
    state.lockedUntil = now + lockSeconds(limits, state.locks) * 1000;
    lockedNow = true;
  }
  return keep({ outcome: "rejected", lockedNow });
}

export interface FirstFactorState {
  received: number;
  /** Times of failures inside the window, oldest first. */
  failures: number[];
}

export function recordFirstFactor(
  limits: Limits,
  now: number,
  success: boolean,
  previous: FirstFactorState | undefined,
): { verdict: Verdict; state: FirstFactorState } {
  const windowMs = limits.firstFactorWindowSeconds * 1000;
  const failures = (previous?.failures ?? []).filter((t) => t + windowMs > now);
  const state: FirstFactorState = { received: (previous?.received ?? 0) + 1, failures };
  if (failures.length >= limits.firstFactorFailures) {
    const oldestCounted = failures[failures.length - limits.firstFactorFailures]!;
    return { verdict: { ok: false, retryAfterSeconds: secondsUntil(oldestCounted + windowMs, now) }, state };
  }
  if (success) state.failures = [];
  else state.failures = [...failures, now];
  return { verdict: { ok: true }, state };
}

export interface IpBucketState {
  received: number;
  tokens: number;
  updatedAt: number;
}

/** A token bucket: `ipRequests` tokens, refilled evenly over `ipWindowSeconds`. */
export function takeIpToken(
  limits: Limits,
  now: number,
  previous: IpBucketState | undefined,
): { verdict: Verdict; state: IpBucketState } {
  const capacity = limits.ipRequests;
  const perMs = capacity / (limits.ipWindowSeconds * 1000);
  const elapsed = Math.max(0, now - (previous?.updatedAt ?? now));
  const tokens = Math.min(capacity, (previous?.tokens ?? capacity) + elapsed * perMs);
  const received = (previous?.received ?? 0) + 1;
  if (tokens < 1) {
    return {
      // Rounded to the millisecond first, so float noise in `tokens` cannot add a whole second.
      verdict: { ok: false, retryAfterSeconds: secondsUntil(now + Math.round((1 - tokens) / perMs), now) },
      state: { received, tokens, updatedAt: now },
    };
  }
  return { verdict: { ok: true }, state: { received, tokens: tokens - 1, updatedAt: now } };
}

/**
 * What an acceptance changed, so that it can be taken back when the sign-in it allowed could not
 * be stored (D1 failed): the code stays usable and no failure count is lost.
 */
export interface AcceptanceUndo {
  consecutiveFailures: number;
  locks: number;
  lockedUntil: number;
  challenge?: ChallengeState;
  previousStep?: number;
  acceptedStep?: number;
}

/**
 * Reverses an acceptance. Failures counted since then are kept on top of the restored ones, and
 * the replay floor moves back only if no later step was accepted in between.
 */
export function undoAcceptance(
  undo: AcceptanceUndo,
  current: { state?: SecondFactorState; challenge?: ChallengeState; lastStep?: number },
): { state?: SecondFactorState; challenge?: ChallengeState; lastStep: number | undefined | "keep" } {
  const state = current.state && {
    ...current.state,
    consecutiveFailures: current.state.consecutiveFailures + undo.consecutiveFailures,
    locks: Math.max(current.state.locks, undo.locks),
    lockedUntil: Math.max(current.state.lockedUntil, undo.lockedUntil),
  };
  const challenge = current.challenge ?? undo.challenge;
  const lastStep =
    undo.acceptedStep !== undefined && current.lastStep === undo.acceptedStep ? undo.previousStep : "keep";
  return { state, challenge, lastStep };
}
