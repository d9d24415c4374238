/**
 * @module otp/normalize
 * Turns what a person typed into the exact code string RFC 4226 §5.3 defines, or rejects it.
 */
import { assertDigits } from "./hotp";

/** Anything longer is hostile or a paste accident; refusing it first keeps the work bounded. */
const MAX_INPUT_LENGTH = 64;
const SEPARATORS = /[ -]/g;
const ASCII_DIGITS = /^[0-9]+$/;

/**
 * Removes the ASCII spaces and hyphens that apps show between digit groups, then requires exactly
 * `digits` ASCII digits. Never coerces: other whitespace, other scripts' digits, signs and number
 * syntax all give null, so two different inputs never become the same code by accident.
 */
export function normalizeCode(input: unknown, digits: number): string | null {
  assertDigits(digits);
  if (typeof input !== "string" || input.length > MAX_INPUT_LENGTH) return null;
  const compact = input.replace(SEPARATORS, "");
  return compact.length === digits && ASCII_DIGITS.test(compact) ? compact : null;
}
