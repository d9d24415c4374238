import { describe, expect, it } from "vitest";
import { normalizeCode } from "../../src/otp/normalize";
import { verifyTotp } from "../../src/otp/totp";
import { RFC_SEEDS } from "./reference-hotp";

const REJECTED: ReadonlyArray<{ label: string; input: unknown }> = [
  { label: "fullwidth digits", input: "１２３４５６" },
  { label: "Arabic-Indic digits", input: "١٢٣٤٥٦" },
  { label: "a plus sign", input: "+123456" },
  { label: "a minus sign that leaves five digits", input: "-12345" },
  { label: "a decimal", input: "12345.6" },
  { label: "an exponent form", input: "1e5" },
  { label: "five digits", input: "12345" },
  { label: "seven digits", input: "1234567" },
  { label: "a tab between groups", input: "123\t456" },
  { label: "a trailing newline", input: "123456\n" },
  { label: "a no-break space between groups", input: "123\u00a0456" },
  { label: "an em space between groups", input: "123\u2003456" },
  { label: "an en dash between groups", input: "123\u2013456" },
  { label: "letters", input: "12345a" },
  { label: "the empty string", input: "" },
  { label: "a number", input: 123456 },
  { label: "null", input: null },
  { label: "undefined", input: undefined },
  { label: "an object", input: { toString: () => "123456" } },
  { label: "an array", input: ["123456"] },
  { label: "a very long string of digits", input: "1".repeat(100_000) },
  { label: "a very long string of separators around six digits", input: `${" ".repeat(100_000)}123456` },
];

describe("normalizeCode", () => {
  it.each([
    { input: "123456", expected: "123456" },
    { input: "123 456", expected: "123456" },
    { input: "123-456", expected: "123456" },
    { input: " 12 34 56 ", expected: "123456" },
    { input: "012345", expected: "012345" },
  ])("accepts $input as $expected", ({ input, expected }) => {
    expect(normalizeCode(input, 6)).toBe(expected);
  });

  it("accepts eight digits when eight are configured", () => {
    expect(normalizeCode("1234 5678", 8)).toBe("12345678");
  });

  it.each(REJECTED)("rejects $label", ({ input }) => {
    expect(normalizeCode(input, 6)).toBeNull();
  });

  it.each([5, 9])("refuses to run with %d digits configured", (digits) => {
    expect(() => normalizeCode("123456", digits)).toThrow(RangeError);
  });
});

describe("verifyTotp with malformed input", () => {
  const opts = { algorithm: "SHA1", digits: 6, periodSeconds: 30, window: 1 } as const;

  it.each(REJECTED)("answers {valid: false} for $label", async ({ input }) => {
    await expect(verifyTotp(RFC_SEEDS.SHA1, input as string, 1_700_000_000_000, opts)).resolves.toEqual({
      valid: false,
    });
  });
});
