/**
 * @module otp/base32
 * RFC 4648 §6 base32, the secret encoding of the Key URI Format: written without padding, read
 * leniently (lower case, padding, spaces) because people type secrets by hand.
 */
import { base32, base32nopad } from "@scure/base";

const TYPED_FORM = /^[A-Za-z2-7]*=*$/;

/** Upper case, no `=` padding, as authenticator apps expect in `secret=`. */
export function encodeBase32(bytes: Uint8Array): string {
  return base32nopad.encode(bytes);
}

/**
 * Decodes typed or pasted base32. ASCII spaces between groups are dropped; padding, if present,
 * must be complete. Returns null instead of throwing for anything else, including non-canonical
 * trailing bits.
 */
export function decodeBase32(text: string): Uint8Array | null {
  if (typeof text !== "string") return null;
  const compact = text.replaceAll(" ", "");
  // Checked before upper-casing: toUpperCase maps some non-ASCII letters (ſ, ı) onto ASCII ones.
  if (!TYPED_FORM.test(compact)) return null;
  const upper = compact.toUpperCase();
  try {
    return upper.includes("=") ? base32.decode(upper) : base32nopad.decode(upper);
  } catch {
    return null;
  }
}
