/**
 * @module crypto/hash
 * Digests for values stored instead of secrets: high-entropy tokens get SHA-256; low-entropy
 * ones (recovery codes) get a keyed HMAC so a leaked table cannot be brute-forced offline.
 */
import { constantTimeEqual } from "../otp/constant-time";
import { toHex, utf8 } from "./encoding";

export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(text))));
}

export async function hmacSha256Hex(key: CryptoKey, text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8(text))));
}

/** Compares equal-length strings without an early exit (for hashes; lengths are public). */
export function constantTimeEqualText(a: string, b: string): boolean {
  return constantTimeEqual(utf8(a), utf8(b));
}
