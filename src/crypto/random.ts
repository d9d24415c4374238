/**
 * @module crypto/random
 * Every random value the service hands out: tokens (256 bits), ids (128 bits), from the CSPRNG.
 */
import { toBase64Url } from "./encoding";

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A bearer secret: session, challenge or sign-in link token. Stored only as its SHA-256. */
export const randomToken = (): string => toBase64Url(randomBytes(32));

/** A public identifier (row ids, session ids shown to the user). */
export const randomId = (): string => toBase64Url(randomBytes(16));
