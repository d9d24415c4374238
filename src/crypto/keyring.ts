/**
 * @module crypto/keyring
 * TOTP secrets at rest: AES-256-GCM under versioned keys from MFA_ENCRYPTION_KEYS
 * (`k2:BASE64,k1:BASE64` — the first encrypts, all decrypt), a fresh 96-bit nonce per
 * encryption, and additional data binding each ciphertext to its account and credential.
 * The same keys, through HKDF, give the HMAC keys for recovery codes.
 */
import { AppError } from "../errors";
import { fromBase64, toBase64, utf8 } from "./encoding";
import { randomBytes } from "./random";

interface KeyEntry {
  id: string;
  aes: CryptoKey;
  recoveryHmac: CryptoKey;
}

export interface Keyring {
  /** The key new ciphertext is written under. */
  readonly current: KeyEntry;
  readonly byId: ReadonlyMap<string, KeyEntry>;
}

export interface Sealed {
  keyId: string;
  /** base64(nonce ‖ ciphertext ‖ tag) */
  ciphertext: string;
}

const NONCE_BYTES = 12;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export class KeyringError extends Error {
  override name = "KeyringError";
}

/** Parses and imports the keys; throws KeyringError saying what is wrong (never the key itself). */
export async function importKeyring(raw: string | undefined): Promise<Keyring> {
  if (!raw || raw.trim() === "") throw new KeyringError("MFA_ENCRYPTION_KEYS is not set");
  const entries: KeyEntry[] = [];
  for (const part of raw.split(",")) {
    const [id, material, extra] = part.trim().split(":");
    if (!id || !material || extra !== undefined || !KEY_ID.test(id)) {
      throw new KeyringError("MFA_ENCRYPTION_KEYS must look like `k2:BASE64,k1:BASE64`");
    }
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(material);
    } catch {
      throw new KeyringError(`key ${id} is not valid base64`);
    }
    if (bytes.length !== 32) throw new KeyringError(`key ${id} must be 32 bytes (AES-256), got ${bytes.length}`);
    if (entries.some((e) => e.id === id)) throw new KeyringError(`key id ${id} appears twice`);
    entries.push(await importEntry(id, bytes));
  }
  const current = entries[0]!;
  return { current, byId: new Map(entries.map((e) => [e.id, e])) };
}

async function importEntry(id: string, bytes: Uint8Array): Promise<KeyEntry> {
  const aes = await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
  const hkdf = await crypto.subtle.importKey("raw", bytes, "HKDF", false, ["deriveKey"]);
  const recoveryHmac = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8("edge-mfa recovery-code v1") },
    hkdf,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
  return { id, aes, recoveryHmac };
}

/** The additional data: a ciphertext copied to another account or credential will not open. */
export const totpSecretAad = (accountId: string, credentialId: string) =>
  utf8(`edge-mfa/totp-secret/v1/${accountId}/${credentialId}`);

export async function seal(keyring: Keyring, plaintext: Uint8Array, aad: Uint8Array): Promise<Sealed> {
  const nonce = randomBytes(NONCE_BYTES);
  const key = keyring.current;
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: aad }, key.aes, plaintext),
  );
  const out = new Uint8Array(NONCE_BYTES + ct.length);
  out.set(nonce);
  out.set(ct, NONCE_BYTES);
  return { keyId: key.id, ciphertext: toBase64(out) };
}

/** Opens a sealed value; a missing key or a failed tag is a server fault, never a client error. */
export async function open(keyring: Keyring, sealed: Sealed, aad: Uint8Array): Promise<Uint8Array> {
  const key = keyring.byId.get(sealed.keyId);
  if (!key) {
    console.error(`keyring: no key ${sealed.keyId} in MFA_ENCRYPTION_KEYS; cannot decrypt`);
    throw new AppError("SERVER_MISCONFIGURED");
  }
  const bytes = fromBase64(sealed.ciphertext);
  try {
    const pt = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, NONCE_BYTES), additionalData: aad },
      key.aes,
      bytes.subarray(NONCE_BYTES),
    );
    return new Uint8Array(pt);
  } catch {
    console.error(`keyring: ciphertext under ${sealed.keyId} failed authentication`);
    throw new AppError("SERVER_MISCONFIGURED");
  }
}

let cache: { raw: string | undefined; keyring: Promise<Keyring> } | undefined;

/**
 * The keyring for this isolate, imported once per distinct secret value. With no valid key
 * the service refuses MFA operations (503 SERVER_MISCONFIGURED) rather than store plaintext.
 */
export async function keyringFrom(raw: string | undefined): Promise<Keyring> {
  if (!cache || cache.raw !== raw) cache = { raw, keyring: importKeyring(raw) };
  try {
    return await cache.keyring;
  } catch (err) {
    cache = undefined;
    console.error(`keyring: ${err instanceof KeyringError ? err.message : "import failed"}; MFA is unavailable`);
    throw new AppError("SERVER_MISCONFIGURED");
  }
}
