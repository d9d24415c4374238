/**
 * @module otp/totp
 * TOTP, RFC 6238 §4: HOTP over the number of time steps since the Unix epoch, verified within a
 * window of steps (§5.2). Time is a parameter; this module never reads the clock.
 */
import { constantTimeEqual } from "./constant-time";
import { assertDigits, hotp, importHmacKey, type OtpAlgorithm } from "./hotp";
import { normalizeCode } from "./normalize";

export interface TotpOptions {
  algorithm: OtpAlgorithm;
  /** 6–8, RFC 4226 §5.3. */
  digits: number;
  /** The time step X of RFC 6238 §4.1; 30 is the recommended default. */
  periodSeconds: number;
  /** Steps accepted either side of the current one; RFC 6238 §5.2 recommends at most 1. */
  window: number;
}

export type TotpVerifyResult = { valid: true; step: number } | { valid: false };

const encoder = new TextEncoder();

/** The RFC 6238 §4.2 counter T = floor((unixTime − T0) / X) with T0 = 0. */
export function stepAt(nowMs: number, periodSeconds: number): number {
  if (!Number.isFinite(nowMs)) throw new RangeError(`time must be a finite number of ms, got ${nowMs}`);
  if (!Number.isSafeInteger(periodSeconds) || periodSeconds <= 0) {
    throw new RangeError(`TOTP period must be a positive whole number of seconds, got ${periodSeconds}`);
  }
  return Math.floor(nowMs / 1000 / periodSeconds);
}

/** The code for the step containing `nowMs`. */
export async function totp(secret: Uint8Array, nowMs: number, opts: TotpOptions): Promise<string> {
  assertTotpOptions(opts);
  const key = await importHmacKey(secret, opts.algorithm);
  return hotp(key, stepAt(nowMs, opts.periodSeconds), opts.digits);
}

/**
 * Checks a submitted code against every step in current ± window and reports the lowest matching
 * step, which the caller must store to refuse replays (RFC 6238 §5.2). Every call computes and
 * compares all steps, whether the code is right, wrong or malformed, so the response time says
 * nothing about which step (if any) matched.
 */
export async function verifyTotp(
  secret: Uint8Array,
  code: string,
  nowMs: number,
  opts: TotpOptions,
): Promise<TotpVerifyResult> {
  assertTotpOptions(opts);
  const normalized = normalizeCode(code, opts.digits);
  // A non-digit stand-in of the right length keeps the comparisons running but can never match.
  const submitted = encoder.encode(normalized ?? "x".repeat(opts.digits));
  const key = await importHmacKey(secret, opts.algorithm);
  const current = stepAt(nowMs, opts.periodSeconds);

  let matchedStep = -1;
  for (let step = current - opts.window; step <= current + opts.window; step++) {
    if (step < 0) continue; // before the epoch there is no step to accept
    const candidate = encoder.encode(await hotp(key, step, opts.digits));
    const equal = constantTimeEqual(candidate, submitted);
    if (equal && matchedStep === -1) matchedStep = step;
  }

  if (normalized === null || matchedStep === -1) return { valid: false };
  return { valid: true, step: matchedStep };
}

function assertTotpOptions(opts: TotpOptions): void {
  assertDigits(opts.digits);
  if (!Number.isSafeInteger(opts.window) || opts.window < 0) {
    throw new RangeError(`TOTP window must be a non-negative whole number of steps, got ${opts.window}`);
  }
}
