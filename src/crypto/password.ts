/**
 * @module crypto/password
 * Password hashing with scrypt (@noble/hashes). The parameters travel inside the stored string
 * (`$scrypt$ln=14,r=8,p=5$SALT$HASH`) so they can be raised later without a migration.
 * Unknown accounts are checked against a dummy hash, so both paths cost the same work.
 */
import { scrypt } from "@noble/hashes/scrypt.js";
import { constantTimeEqual } from "../otp/constant-time";
import { fromBase64, toBase64, utf8 } from "./encoding";
import { randomBytes } from "./random";

export interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** Counts hash computations; the enumeration test asserts both sign-in paths do the same number. */
export const passwordHashStats = { computations: 0 };

async function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  passwordHashStats.computations++;
  // NFKC so the same password typed on another keyboard layout still matches. Synchronous on
  // purpose: the async variant yields mid-hash, letting concurrent sign-ins in one isolate each
  // hold their 16 MiB at once; an isolate has 128 MB.
  return scrypt(utf8(password.normalize("NFKC")), salt, {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    dkLen: HASH_BYTES,
    maxmem: 2 ** 26,
  });
}

export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params);
  return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * Verifies a password against a stored hash. With `stored` null (no such account, or no
 * password) it hashes against a dummy salt with the current parameters and returns false.
 */
export async function verifyPassword(stored: string | null, password: string, params: ScryptParams): Promise<boolean> {
  const parsed = stored ? FORMAT.exec(stored) : null;
  if (!parsed) {
    await derive(password, new Uint8Array(SALT_BYTES), params);
    return false;
  }
  const [, ln, r, p, salt, hash] = parsed;
  const expected = fromBase64(hash!);
  const actual = await derive(password, fromBase64(salt!), { logN: Number(ln), r: Number(r), p: Number(p) });
  return constantTimeEqual(actual, expected);
}

/** True when a stored hash uses weaker parameters than the policy (rehash on next sign-in). */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const parsed = FORMAT.exec(stored);
  if (!parsed) return true;
  return Number(parsed[1]) < params.logN || Number(parsed[2]) < params.r || Number(parsed[3]) < params.p;
}
