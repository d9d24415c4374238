/**
 * @module otp
 * HOTP/TOTP (RFC 4226, RFC 6238), base32 (RFC 4648), the Key URI Format and its QR code: pure
 * functions over WebCrypto with time passed in.
 */
export { decodeBase32, encodeBase32 } from "./base32";
export { constantTimeEqual } from "./constant-time";
export { hotp, hotpFromSecret, importHmacKey, isOtpAlgorithm, type OtpAlgorithm } from "./hotp";
export { normalizeCode } from "./normalize";
export { qrSvgDataUrl } from "./qr";
export { generateSecret } from "./secret";
export { stepAt, type TotpOptions, type TotpVerifyResult, totp, verifyTotp } from "./totp";
export { buildOtpauthUri, type OtpauthParams, OtpauthUriError, parseOtpauthUri } from "./uri";
