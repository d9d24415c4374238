/**
 * @module auth/recovery-codes
 * Look-up secrets (NIST SP 800-63B §5.1.2): 16 symbols of Crockford's base32 (80 bits), shown as
 * XXXX-XXXX-XXXX-XXXX, stored only as HMAC-SHA-256 under a key derived from the encryption keys.
 */
import { constantTimeEqualText, hmacSha256Hex } from "../crypto/hash";
import type { Keyring } from "../crypto/keyring";
import { randomBytes, randomId } from "../crypto/random";
import type { HashedRecoveryCode } from "../db/mfa";

// No I, L, O, U: nothing to confuse when read aloud or copied by hand.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export interface RecoveryCodeShape {
  groups: number;
  groupLength: number;
}

export function generateRecoveryCode(shape: RecoveryCodeShape): string {
  const length = shape.groups * shape.groupLength;
  // 256 is a multiple of 32, so `byte & 31` is unbiased.
  const symbols = Array.from(randomBytes(length), (b) => ALPHABET[b & 31]).join("");
  const groups: string[] = [];
  for (let i = 0; i < length; i += shape.groupLength) groups.push(symbols.slice(i, i + shape.groupLength));
  return groups.join("-");
}

/** Upper-cases, drops spaces and dashes, reads O as 0 and I/L as 1; null when it cannot be a code. */
export function normalizeRecoveryCode(input: string, shape: RecoveryCodeShape): string | null {
  const compact = input.toUpperCase().replace(/[ -]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (compact.length !== shape.groups * shape.groupLength) return null;
  for (const ch of compact) if (!ALPHABET.includes(ch)) return null;
  return compact;
}

export async function hashRecoveryCode(keyring: Keyring, keyId: string, normalized: string): Promise<string | null> {
  const key = keyring.byId.get(keyId);
  return key ? hmacSha256Hex(key.recoveryHmac, normalized) : null;
}

/** Fresh codes: the plaintext to show once, and the rows to store. */
export async function newRecoveryCodes(
  keyring: Keyring,
  count: number,
  shape: RecoveryCodeShape,
): Promise<{ plain: string[]; hashed: HashedRecoveryCode[] }> {
  const plain = Array.from({ length: count }, () => generateRecoveryCode(shape));
  const hashed = await Promise.all(
    plain.map(async (code) => ({
      id: randomId(),
      keyId: keyring.current.id,
      codeHash: (await hashRecoveryCode(keyring, keyring.current.id, normalizeRecoveryCode(code, shape)!))!,
    })),
  );
  return { plain, hashed };
}

/**
 * Finds which stored code (if any) the input is, comparing against every candidate without
 * stopping at a match.
 */
export async function matchRecoveryCode(
  keyring: Keyring,
  normalized: string,
  stored: readonly { id: string; codeHash: string; keyId: string }[],
): Promise<string | null> {
  const hashes = new Map<string, string | null>();
  for (const keyId of new Set(stored.map((c) => c.keyId)))
    hashes.set(keyId, await hashRecoveryCode(keyring, keyId, normalized));
  let match: string | null = null;
  for (const code of stored) {
    const candidate = hashes.get(code.keyId);
    const equal = candidate != null && constantTimeEqualText(candidate, code.codeHash);
    if (equal && match === null) match = code.id;
  }
  return match;
}
