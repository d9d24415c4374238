/**
 * @module crypto/encoding
 * Byte ↔ text encodings used for tokens, ids and stored ciphertext.
 */
import { base64, base64urlnopad, hex } from "@scure/base";

export const toBase64 = (bytes: Uint8Array): string => base64.encode(bytes);
export const fromBase64 = (text: string): Uint8Array => base64.decode(text);
export const toBase64Url = (bytes: Uint8Array): string => base64urlnopad.encode(bytes);
export const toHex = (bytes: Uint8Array): string => hex.encode(bytes);
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
