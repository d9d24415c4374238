/**
 * @module otp/secret
 * Shared secrets for HOTP/TOTP from the platform CSPRNG (RFC 4226 §4 R6, §7.5).
 */

/** RFC 4226 §4 R6: at least 128 bits. */
const MIN_SECRET_BYTES = 16;
/** SHA-512's block is 128 bytes, but 64 is the longest seed RFC 6238 uses and what config allows. */
const MAX_SECRET_BYTES = 64;

/** A fresh random secret; 20 bytes (160 bits) is the length RFC 4226 §4 R6 recommends. */
export function generateSecret(bytes = 20): Uint8Array {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new RangeError(`secret length must be ${MIN_SECRET_BYTES}–${MAX_SECRET_BYTES} bytes, got ${bytes}`);
  }
  return crypto.getRandomValues(new Uint8Array(bytes));
}
