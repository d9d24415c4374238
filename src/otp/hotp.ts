/**
 * @module otp/hotp
 * HOTP, RFC 4226 §5: HMAC over an 8-byte big-endian counter, dynamic truncation to 6–8 digits.
 */

/** Hash names as they appear in the Key URI Format; RFC 6238 §1.2 allows SHA-256 and SHA-512 besides SHA-1. */
export type OtpAlgorithm = "SHA1" | "SHA256" | "SHA512";

const WEBCRYPTO_HASH: Readonly<Record<OtpAlgorithm, string>> = Object.freeze({
  SHA1: "SHA-1",
  SHA256: "SHA-256",
  SHA512: "SHA-512",
});

/** True for the three algorithm names this module implements. */
export function isOtpAlgorithm(value: unknown): value is OtpAlgorithm {
  return value === "SHA1" || value === "SHA256" || value === "SHA512";
}

/**
 * Imports the shared secret as a non-extractable HMAC key, so a verify that tries several steps
 * pays for the import once.
 */
export async function importHmacKey(secret: Uint8Array, algorithm: OtpAlgorithm): Promise<CryptoKey> {
  if (!isOtpAlgorithm(algorithm)) throw new RangeError(`unsupported OTP algorithm: ${String(algorithm)}`);
  return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: WEBCRYPTO_HASH[algorithm] }, false, ["sign"]);
}

/** The code for one counter value, zero-padded to `digits`. */
export async function hotp(key: CryptoKey, counter: number, digits: number): Promise<string> {
  assertCounter(counter);
  assertDigits(digits);
  const message = new Uint8Array(8);
  // RFC 4226 §5.1: the counter is 8 bytes. 32-bit shifts would silently wrap counters ≥ 2^32.
  new DataView(message.buffer).setBigUint64(0, BigInt(counter), false);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  return truncate(mac, digits);
}

/** Imports the key and computes one code; for single use — a verifier should import once and reuse the key. */
export async function hotpFromSecret(
  secret: Uint8Array,
  counter: number,
  digits: number,
  algorithm: OtpAlgorithm,
): Promise<string> {
  return hotp(await importHmacKey(secret, algorithm), counter, digits);
}

/** RFC 4226 §5.3 dynamic truncation; the low nibble of the last byte picks the offset for every hash size. */
function truncate(mac: Uint8Array, digits: number): string {
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = new DataView(mac.buffer, mac.byteOffset, mac.byteLength).getUint32(offset, false) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

function assertCounter(counter: number): void {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new RangeError(`HOTP counter must be a non-negative safe integer, got ${counter}`);
  }
}

/** RFC 4226 §5.3: a 6-digit code at minimum, possibly 7 or 8. */
export function assertDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) {
    throw new RangeError(`OTP digits must be 6, 7 or 8, got ${digits}`);
  }
}
