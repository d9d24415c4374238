/**
 * @module test/bench/otp/bench
 * The TOTP verifiers under comparison, each checking a wrong code against a ±1-step window, and a
 * timed loop over them. Shared by the bench Worker (workerd) and the Node 22 run.
 */
import { generateTOTP as epicGenerate, verifyTOTP as epicVerify } from "@epic-web/totp";
import { verifyTOTPWithGracePeriod as osloVerifyWithGrace } from "@oslojs/otp";
import { verify as otplibVerify } from "otplib";
import { encodeBase32, type TotpOptions, totp, verifyTotp } from "../../../src/otp/index";

export const IMPLEMENTATIONS = ["ours", "otplib", "epic-web", "oslojs", "ceiling"] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

const SECRET_COUNT = 1000;
const SECRET_BYTES = 20;
const PERIOD_SECONDS = 30;
const OPTS: TotpOptions = { algorithm: "SHA1", digits: 6, periodSeconds: PERIOD_SECONDS, window: 1 };
/** Wrong for all but a few in a million secret/step pairs, so every verifier checks the whole window. */
const WRONG_CODE = "000000";

interface Fixture {
  secrets: Uint8Array[];
  base32: string[];
}

let fixture: Fixture | undefined;

/** Created on first use: workerd forbids random numbers in global scope. */
function getFixture(): Fixture {
  if (!fixture) {
    const secrets = Array.from({ length: SECRET_COUNT }, () => crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
    fixture = { secrets, base32: secrets.map((s) => encodeBase32(s)) };
  }
  return fixture;
}

/** The upper bound: what the platform's HMAC alone costs for one import and three signatures. */
async function ceilingVerify(secret: Uint8Array, code: string, nowMs: number): Promise<boolean> {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const current = Math.floor(nowMs / 1000 / PERIOD_SECONDS);
  const wanted = Number(code);
  let valid = false;
  for (let step = current - 1; step <= current + 1; step++) {
    const message = new Uint8Array(8);
    new DataView(message.buffer).setBigUint64(0, BigInt(step));
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
    const offset = (mac[19] ?? 0) & 0x0f;
    const value = (new DataView(mac.buffer).getUint32(offset) & 0x7fffffff) % 1_000_000;
    valid ||= value === wanted;
  }
  return valid;
}

/** One verification of `code` for secret `i`; true when accepted. */
async function verifyOnce(impl: Implementation, i: number, code: string, nowMs: number): Promise<boolean> {
  const { secrets, base32 } = getFixture();
  const secret = secrets[i] as Uint8Array;
  switch (impl) {
    case "ours":
      return (await verifyTotp(secret, code, nowMs, OPTS)).valid;
    case "otplib":
      return (await otplibVerify({ secret, token: code, epoch: Math.floor(nowMs / 1000), epochTolerance: 30 })).valid;
    case "epic-web":
      // Reads Date.now() itself and takes the secret as base32, as its API requires.
      return (await epicVerify({ otp: code, secret: base32[i] as string, window: 1 })) !== null;
    case "oslojs":
      // No window parameter; a 30 s grace period spans exactly steps current − 1 … current + 1.
      return osloVerifyWithGrace(secret, PERIOD_SECONDS, 6, code, PERIOD_SECONDS);
    case "ceiling":
      return ceilingVerify(secret, code, nowMs);
  }
}

/** Runs `n` verifications of a wrong code, rotating through the secrets; returns elapsed ms. */
export async function timeVerifies(impl: Implementation, n: number, startAt = 0): Promise<number> {
  getFixture();
  const nowMs = Date.now();
  const started = performance.now();
  for (let k = 0; k < n; k++) await verifyOnce(impl, (startAt + k) % SECRET_COUNT, WRONG_CODE, nowMs);
  return performance.now() - started;
}

/**
 * Proves each verifier is configured to do real work before it is timed: it must accept the
 * current code (from two independent generators) and refuse a wrong one.
 */
export async function sanityCheck(): Promise<Record<Implementation, boolean>> {
  const { secrets, base32 } = getFixture();
  const secret = secrets[0] as Uint8Array;
  const nowMs = Date.now();
  const current = await totp(secret, nowMs, OPTS);
  const theirs = (await epicGenerate({ secret: base32[0] as string })).otp;
  const result = {} as Record<Implementation, boolean>;
  for (const impl of IMPLEMENTATIONS) {
    const wrong = current === WRONG_CODE ? "111111" : WRONG_CODE;
    result[impl] =
      current === theirs && (await verifyOnce(impl, 0, current, nowMs)) && !(await verifyOnce(impl, 0, wrong, nowMs));
  }
  return result;
}
