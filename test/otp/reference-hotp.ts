/**
 * @module test/otp/reference-hotp
 * An independent RFC 4226 implementation for cross-checks: pure-JS hashes from @noble/hashes, the
 * counter split with BigInt arithmetic and truncation by hand, so it shares no code with src/otp.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import type { OtpAlgorithm } from "../../src/otp/hotp";

const HASHES = { SHA1: sha1, SHA256: sha256, SHA512: sha512 } as const;

export function referenceHotp(secret: Uint8Array, counter: number, digits: number, algorithm: OtpAlgorithm): string {
  const message = new Uint8Array(8);
  let rest = BigInt(counter);
  for (let i = 7; i >= 0; i--) {
    message[i] = Number(rest % 256n);
    rest /= 256n;
  }
  const mac = hmac(HASHES[algorithm], secret, message);
  const offset = mac[mac.length - 1]! % 16;
  const binary =
    (mac[offset]! % 128) * 2 ** 24 + mac[offset + 1]! * 2 ** 16 + mac[offset + 2]! * 2 ** 8 + mac[offset + 3]!;
  return (binary % 10 ** digits).toString().padStart(digits, "0");
}

/** The ASCII seeds of RFC 6238 Appendix B, one per hash. */
export const RFC_SEEDS: Readonly<Record<OtpAlgorithm, Uint8Array>> = {
  SHA1: new TextEncoder().encode("12345678901234567890"),
  SHA256: new TextEncoder().encode("12345678901234567890123456789012"),
  SHA512: new TextEncoder().encode("1234567890123456789012345678901234567890123456789012345678901234"),
};
