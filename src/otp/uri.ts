/**
 * @module otp/uri
 * The Key URI Format authenticator apps read from QR codes:
 * `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…` (github.com/google/google-authenticator/wiki/Key-Uri-Format).
 */
import { decodeBase32, encodeBase32 } from "./base32";
import { isOtpAlgorithm, type OtpAlgorithm } from "./hotp";

export interface OtpauthParams {
  issuer: string;
  account: string;
  secret: Uint8Array;
  algorithm: OtpAlgorithm;
  digits: number;
  periodSeconds: number;
}

/** Thrown for a URI that cannot be built or parsed; the message names the part that is wrong. */
export class OtpauthUriError extends Error {
  override readonly name = "OtpauthUriError";
}

const PREFIX = "otpauth://totp/";
/** Defaults of the Key URI Format; many apps ignore the parameters and assume these. */
const DEFAULTS = { algorithm: "SHA1", digits: 6, periodSeconds: 30 } as const;
const WHOLE_NUMBER = /^[0-9]{1,9}$/;

/**
 * Builds the URI with both the label prefix and the `issuer` parameter, as the format recommends,
 * each percent-encoded (spaces as %20) and the secret in unpadded base32.
 */
export function buildOtpauthUri(params: OtpauthParams): string {
  const issuer = checkLabelPart("issuer", params.issuer);
  const account = checkLabelPart("account", params.account);
  if (!isOtpAlgorithm(params.algorithm)) throw new OtpauthUriError(`unsupported algorithm: ${params.algorithm}`);
  checkDigits(params.digits);
  checkPeriod(params.periodSeconds);
  if (params.secret.byteLength === 0) throw new OtpauthUriError("secret is empty");
  const label = `${encode(issuer)}:${encode(account)}`;
  const query = [
    `secret=${encodeBase32(params.secret)}`,
    `issuer=${encode(issuer)}`,
    `algorithm=${params.algorithm}`,
    `digits=${params.digits}`,
    `period=${params.periodSeconds}`,
  ].join("&");
  return `${PREFIX}${label}?${query}`;
}

/**
 * Parses a TOTP Key URI strictly: both the `issuer:` label prefix and the `issuer` parameter are
 * required (this service always writes both) and must be equal, since a mismatch leaves it unclear
 * which service the key belongs to; every value must be one this service can verify. Absent
 * algorithm/digits/period take the format's defaults.
 */
export function parseOtpauthUri(uri: string): OtpauthParams {
  if (typeof uri !== "string" || !uri.startsWith(PREFIX)) throw new OtpauthUriError("not an otpauth://totp/ URI");
  if (uri.includes("#")) throw new OtpauthUriError("URI has a fragment");
  const rest = uri.slice(PREFIX.length);
  const queryStart = rest.indexOf("?");
  if (queryStart === -1) throw new OtpauthUriError("URI has no parameters");

  const [labelIssuer, account] = parseLabel(rest.slice(0, queryStart));
  const query = new URLSearchParams(rest.slice(queryStart + 1));
  for (const name of new Set(query.keys())) {
    if (query.getAll(name).length > 1) throw new OtpauthUriError(`parameter ${name} appears more than once`);
  }

  const issuer = checkLabelPart("issuer", query.get("issuer") ?? "");
  if (issuer !== labelIssuer) throw new OtpauthUriError("label issuer and issuer parameter differ");

  const secret = decodeBase32(query.get("secret") ?? "");
  if (secret === null || secret.byteLength === 0) throw new OtpauthUriError("secret is missing or not base32");

  const algorithm = parseAlgorithm(query.get("algorithm"));
  const digits = checkDigits(parseWholeNumber("digits", query.get("digits"), DEFAULTS.digits));
  const periodSeconds = checkPeriod(parseWholeNumber("period", query.get("period"), DEFAULTS.periodSeconds));

  return { issuer, account, secret, algorithm, digits, periodSeconds };
}

function parseLabel(raw: string): [issuer: string, account: string] {
  // The format allows the separator literal or percent-encoded; a decoded part must not contain another.
  const parts = raw.split(/:|%3A/i);
  if (parts.length !== 2) throw new OtpauthUriError("label must be ISSUER:ACCOUNT");
  return [checkLabelPart("issuer", decode(parts[0] ?? "")), checkLabelPart("account", decode(parts[1] ?? ""))];
}

function checkLabelPart(what: string, value: string): string {
  if (typeof value !== "string" || value.length === 0) throw new OtpauthUriError(`${what} is empty`);
  if (value.includes(":")) throw new OtpauthUriError(`${what} must not contain ':'`);
  return value;
}

function checkDigits(digits: number): number {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) throw new OtpauthUriError("digits must be 6, 7 or 8");
  return digits;
}

function checkPeriod(periodSeconds: number): number {
  if (!Number.isSafeInteger(periodSeconds) || periodSeconds <= 0) {
    throw new OtpauthUriError("period must be a positive whole number of seconds");
  }
  return periodSeconds;
}

/** Case-insensitive because some generators write `sha1`; ASCII-checked first since toUpperCase folds ſ to S. */
function parseAlgorithm(raw: string | null): OtpAlgorithm {
  if (raw === null) return DEFAULTS.algorithm;
  const upper = /^[A-Za-z0-9]+$/.test(raw) ? raw.toUpperCase() : raw;
  if (!isOtpAlgorithm(upper)) throw new OtpauthUriError("unsupported algorithm");
  return upper;
}

function parseWholeNumber(name: string, raw: string | null, fallback: number): number {
  if (raw === null) return fallback;
  if (!WHOLE_NUMBER.test(raw)) throw new OtpauthUriError(`${name} is not a whole number`);
  return Number(raw);
}

function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    throw new OtpauthUriError("text is not well-formed Unicode"); // a lone surrogate
  }
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new OtpauthUriError("label is not valid percent-encoded UTF-8");
  }
}
