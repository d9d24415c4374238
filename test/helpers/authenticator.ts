/**
 * An authenticator independent of src/otp: RFC 6238 over @noble/hashes, as a phone app would
 * compute it. Tests use it so a bug in our TOTP cannot hide itself.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { base32 } from "@scure/base";

export function codeAt(secretBase32: string, unixMs: number, { digits = 6, period = 30 } = {}): string {
  const padded = secretBase32.toUpperCase().padEnd(Math.ceil(secretBase32.length / 8) * 8, "=");
  const key = base32.decode(padded);
  const counter = Math.floor(unixMs / 1000 / period);
  const msg = new Uint8Array(8);
  new DataView(msg.buffer).setBigUint64(0, BigInt(counter));
  const mac = hmac(sha1, key, msg);
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(bin % 10 ** digits).padStart(digits, "0");
}

/** A code that is certainly wrong for every step in the ±1 window around `unixMs`. */
export function wrongCodeAt(secretBase32: string, unixMs: number): string {
  const valid = new Set([-30_000, 0, 30_000].map((d) => codeAt(secretBase32, unixMs + d)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, "0");
    if (!valid.has(candidate)) return candidate;
  }
}
