/**
 * @module otp/constant-time
 * Byte comparison whose duration does not depend on where the inputs differ, so checking the
 * RFC 6238 §5.2 window leaks nothing about how close a guessed code was.
 */

type MaybeTimingSafe = { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean };

/**
 * Compares two byte strings without an early exit. Lengths are treated as public: a mismatch
 * returns false at once, but nothing about the content is read.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  // workerd provides the native comparison; other runtimes (Node, tests of the fallback) do not.
  const subtle = crypto.subtle as unknown as MaybeTimingSafe;
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual.call(crypto.subtle, a, b);
  let difference = 0;
  for (let i = 0; i < a.byteLength; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}
