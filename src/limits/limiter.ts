/**
 * @module limits/limiter
 * The counters behind every rate limit and lockout: one SQLite-backed Durable Object per key
 * (`mfa:<account>`, `pw:<email hash>`, `ip:<address>`). Each RPC reads and writes its state with
 * the synchronous KV API and no `await` in between, so concurrent requests cannot lose an
 * increment. `alarm()` deletes state whose window has passed.
 */
import { DurableObject } from "cloudflare:workers";
import authConfig from "../../config/auth";
import {
  type AcceptanceUndo,
  type FirstFactorState,
  type IpBucketState,
  recordFirstFactor,
  recordSecondFactor,
  type SecondFactorAttempt,
  type SecondFactorState,
  type SecondFactorVerdict,
  takeIpToken,
  undoAcceptance,
  type Verdict,
} from "./policy";

const SECOND_FACTOR = "sf";
const FIRST_FACTOR = "ff";
const IP_BUCKET = "ip";
const CHALLENGE_PREFIX = "ch:";
const STEP_PREFIX = "step:";

export interface LimiterSnapshot {
  secondFactor?: SecondFactorState;
  firstFactor?: FirstFactorState;
  ipBucket?: IpBucketState;
  challenges: Record<string, { attempts: number; expiresAt: number }>;
  steps: Record<string, number>;
}

/**
 * How long a challenge counter outlives its challenge. The Worker judges expiry with its own
 * clock, read once at the start of the request; without this margin a counter deleted by this
 * object's slightly later clock would come back empty for a challenge the Worker still accepts.
 */
const CHALLENGE_GRACE_MS = 60_000;

export class Limiter extends DurableObject<Cloudflare.Env> {
  private readonly policy = authConfig;

  /** Lock check, per-challenge cap, replay check and the attempt record, in one call. */
  async secondFactor(attempt: SecondFactorAttempt): Promise<SecondFactorVerdict> {
    const kv = this.ctx.storage.kv;
    const challengeKey = attempt.challengeId ? CHALLENGE_PREFIX + attempt.challengeId : undefined;
    const stepKey = attempt.result.kind === "totp" ? STEP_PREFIX + attempt.result.credentialId : undefined;
    const { verdict, state, challenge, lastStep } = recordSecondFactor(this.policy.limits, attempt, {
      state: kv.get<SecondFactorState>(SECOND_FACTOR),
      challenge: challengeKey ? kv.get(challengeKey) : undefined,
      lastStep: stepKey ? kv.get<number>(stepKey) : undefined,
    });
    kv.put(SECOND_FACTOR, state);
    if (challengeKey) {
      if (challenge) kv.put(challengeKey, challenge);
      else kv.delete(challengeKey);
    }
    if (stepKey && lastStep !== undefined) kv.put(stepKey, lastStep);
    // Only challenge counters expire; the account's state and replay floors are kept (see alarm()).
    if (challenge) await this.scheduleCleanup(challenge.expiresAt + CHALLENGE_GRACE_MS);
    return verdict;
  }

  /** Takes back an acceptance whose sign-in D1 could not store (see `undoAcceptance`). */
  undoSecondFactor(undo: AcceptanceUndo, context: { challengeId?: string; credentialId?: string }): void {
    const kv = this.ctx.storage.kv;
    const challengeKey = context.challengeId ? CHALLENGE_PREFIX + context.challengeId : undefined;
    const stepKey = context.credentialId ? STEP_PREFIX + context.credentialId : undefined;
    const restored = undoAcceptance(undo, {
      state: kv.get<SecondFactorState>(SECOND_FACTOR),
      challenge: challengeKey ? kv.get(challengeKey) : undefined,
      lastStep: stepKey ? kv.get<number>(stepKey) : undefined,
    });
    if (restored.state) kv.put(SECOND_FACTOR, restored.state);
    if (challengeKey && restored.challenge) kv.put(challengeKey, restored.challenge);
    if (stepKey && restored.lastStep !== "keep") {
      if (restored.lastStep === undefined) kv.delete(stepKey);
      else kv.put(stepKey, restored.lastStep);
    }
  }

  /** Records one first-factor outcome for this account (or unknown email) key. */
  async firstFactor(now: number, success: boolean): Promise<Verdict> {
    const kv = this.ctx.storage.kv;
    const { verdict, state } = recordFirstFactor(this.policy.limits, now, success, kv.get(FIRST_FACTOR));
    kv.put(FIRST_FACTOR, state);
    await this.scheduleCleanup((state.failures[0] ?? now) + this.policy.limits.firstFactorWindowSeconds * 1000);
    return verdict;
  }

  /** Takes one request token from this client IP's bucket. */
  async ipRequest(now: number): Promise<Verdict> {
    const kv = this.ctx.storage.kv;
    const { verdict, state } = takeIpToken(this.policy.limits, now, kv.get(IP_BUCKET));
    kv.put(IP_BUCKET, state);
    await this.scheduleCleanup(state.updatedAt + this.policy.limits.ipWindowSeconds * 1000);
    return verdict;
  }

  /**
   * An operator's reset of a locked or disabled second factor (after verifying the person out of
   * band). Keeps the replay floors and the `received` count; clears failures, locks and the
   * challenge caps. Returns whether anything was locked.
   */
  resetSecondFactor(): boolean {
    const kv = this.ctx.storage.kv;
    const state = kv.get<SecondFactorState>(SECOND_FACTOR);
    const wasLocked = state !== undefined && (state.disabled || state.lockedUntil > 0 || state.consecutiveFailures > 0);
    if (state) kv.put(SECOND_FACTOR, { ...state, consecutiveFailures: 0, locks: 0, lockedUntil: 0, disabled: false });
    for (const [key] of kv.list({ prefix: CHALLENGE_PREFIX })) kv.delete(key);
    return wasLocked;
  }

  /** Everything stored, for tests and the soak's consistency check. Contains no secrets. */
  snapshot(): LimiterSnapshot {
    const kv = this.ctx.storage.kv;
    const snap: LimiterSnapshot = {
      secondFactor: kv.get(SECOND_FACTOR),
      firstFactor: kv.get(FIRST_FACTOR),
      ipBucket: kv.get(IP_BUCKET),
      challenges: {},
      steps: {},
    };
    for (const [key, value] of kv.list<{ attempts: number; expiresAt: number }>({ prefix: CHALLENGE_PREFIX })) {
      snap.challenges[key.slice(CHALLENGE_PREFIX.length)] = value;
    }
    for (const [key, value] of kv.list<number>({ prefix: STEP_PREFIX }))
      snap.steps[key.slice(STEP_PREFIX.length)] = value;
    return snap;
  }

  /**
   * Deletes what has expired — challenge counters, first-factor failures outside the window,
   * IP buckets idle for a whole window (a full bucket equals no bucket) — and sets the next
   * alarm for the earliest expiry of what is left.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const kv = this.ctx.storage.kv;
    const { firstFactorWindowSeconds, ipWindowSeconds } = this.policy.limits;
    const expiries: number[] = [];
    for (const [key, value] of kv.list<{ expiresAt: number }>({ prefix: CHALLENGE_PREFIX })) {
      const until = value.expiresAt + CHALLENGE_GRACE_MS;
      if (until <= now) kv.delete(key);
      else expiries.push(until);
    }
    const ff = kv.get<FirstFactorState>(FIRST_FACTOR);
    if (ff) {
      const windowMs = firstFactorWindowSeconds * 1000;
      const failures = ff.failures.filter((t) => t + windowMs > now);
      if (failures.length === 0) kv.delete(FIRST_FACTOR);
      else {
        kv.put(FIRST_FACTOR, { ...ff, failures });
        expiries.push(failures[0]! + windowMs);
      }
    }
    const ip = kv.get<IpBucketState>(IP_BUCKET);
    if (ip) {
      const idleAt = ip.updatedAt + ipWindowSeconds * 1000;
      if (idleAt <= now) kv.delete(IP_BUCKET);
      else expiries.push(idleAt);
    }
    // Second-factor state (consecutive failures, last steps) never expires by time: NIST counts
    // consecutive failures until a success, and the replay floor must outlive every code.
    if (expiries.length > 0) await this.ctx.storage.setAlarm(Math.min(...expiries));
  }

  /**
   * Makes sure an alarm fires no later than `at`. Awaited after the counters were written, so
   * the answer leaves only once the alarm is stored; a later alarm is moved earlier, never the
   * reverse, because alarm() reschedules itself for whatever is still stored.
   */
  private async scheduleCleanup(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
