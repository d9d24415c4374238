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
  type FirstFactorState,
  type IpBucketState,
  recordFirstFactor,
  recordSecondFactor,
  type SecondFactorAttempt,
  type SecondFactorState,
  type SecondFactorVerdict,
  takeIpToken,
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

export class Limiter extends DurableObject<Cloudflare.Env> {
  private readonly policy = authConfig;

  /** Lock check, per-challenge cap, replay check and the attempt record, in one call. */
  secondFactor(attempt: SecondFactorAttempt): SecondFactorVerdict {
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
    this.scheduleCleanup(Math.max(state.lockedUntil, challenge?.expiresAt ?? 0));
    return verdict;
  }

  /** Records one first-factor outcome for this account (or unknown email) key. */
  firstFactor(now: number, success: boolean): Verdict {
    const kv = this.ctx.storage.kv;
    const { verdict, state } = recordFirstFactor(this.policy.limits, now, success, kv.get(FIRST_FACTOR));
    kv.put(FIRST_FACTOR, state);
    const oldest = state.failures[0];
    if (oldest !== undefined) this.scheduleCleanup(oldest + this.policy.limits.firstFactorWindowSeconds * 1000);
    return verdict;
  }

  /** Takes one request token from this client IP's bucket. */
  ipRequest(now: number): Verdict {
    const kv = this.ctx.storage.kv;
    const { verdict, state } = takeIpToken(this.policy.limits, now, kv.get(IP_BUCKET));
    kv.put(IP_BUCKET, state);
    this.scheduleCleanup(now + this.policy.limits.ipWindowSeconds * 1000);
    return verdict;
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

  /** Deletes what has expired: challenge counters, old first-factor failures, full IP buckets. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const kv = this.ctx.storage.kv;
    let next = 0;
    for (const [key, value] of kv.list<{ expiresAt: number }>({ prefix: CHALLENGE_PREFIX })) {
      if (value.expiresAt <= now) kv.delete(key);
      else next = Math.max(next, value.expiresAt);
    }
    const ff = kv.get<FirstFactorState>(FIRST_FACTOR);
    if (ff) {
      const windowMs = this.policy.limits.firstFactorWindowSeconds * 1000;
      const failures = ff.failures.filter((t) => t + windowMs > now);
      if (failures.length === 0) kv.delete(FIRST_FACTOR);
      else {
        kv.put(FIRST_FACTOR, { ...ff, failures });
        next = Math.max(next, failures[0]! + windowMs);
      }
    }
    const ip = kv.get<IpBucketState>(IP_BUCKET);
    if (ip && ip.updatedAt + this.policy.limits.ipWindowSeconds * 1000 <= now) kv.delete(IP_BUCKET);
    // Second-factor state (consecutive failures, last steps) never expires by time: NIST counts
    // consecutive failures until a success, and the replay floor must outlive every code.
    if (next > now) await this.ctx.storage.setAlarm(next);
  }

  private scheduleCleanup(at: number): void {
    if (at <= 0) return;
    // Fire-and-forget is safe: the output gate holds the response until the alarm is stored.
    void this.ctx.storage.getAlarm().then((current) => {
      if (current === null || current > at) return this.ctx.storage.setAlarm(at);
    });
  }
}
