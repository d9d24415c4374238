import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase32, encodeBase32 } from "../../src/otp/base32";

const ascii = (text: string) => new TextEncoder().encode(text);

// RFC 4648 §10, with the padding removed as the Key URI Format wants it.
const RFC4648_VECTORS = [
  { text: "", encoded: "" },
  { text: "f", encoded: "MY" },
  { text: "fo", encoded: "MZXQ" },
  { text: "foo", encoded: "MZXW6" },
  { text: "foob", encoded: "MZXW6YQ" },
  { text: "fooba", encoded: "MZXW6YTB" },
  { text: "foobar", encoded: "MZXW6YTBOI" },
];

describe("base32", () => {
  it.each(RFC4648_VECTORS)('encodes "$text" as "$encoded"', ({ text, encoded }) => {
    expect(encodeBase32(ascii(text))).toBe(encoded);
  });

  it.each(RFC4648_VECTORS)('decodes "$encoded" back to "$text"', ({ text, encoded }) => {
    expect(decodeBase32(encoded)).toEqual(ascii(text));
  });

  it("round-trips random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        const decoded = decodeBase32(encodeBase32(bytes));
        return decoded !== null && decoded.length === bytes.length && decoded.every((b, i) => b === bytes[i]);
      }),
      { numRuns: 500 },
    );
  });

  it("never writes padding or lower case", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => /^[A-Z2-7]*$/.test(encodeBase32(bytes))));
  });

  it.each([
    { label: "lower case", input: "mzxw6ytboi" },
    { label: "mixed case", input: "MzXw6YtBoI" },
    { label: "full padding", input: "MZXW6YTBOI======" },
    { label: "groups separated by spaces", input: "MZXW 6YTB OI" },
    { label: "lower case groups with padding", input: "mzxw 6ytb oi== ====" },
  ])("accepts $label", ({ input }) => {
    expect(decodeBase32(input)).toEqual(ascii("foobar"));
  });

  it.each([
    { label: "a digit outside the alphabet", input: "MZXW1YTBOI" },
    { label: "a hyphen", input: "MZXW-6YTB" },
    { label: "a tab", input: "MZXW\t6YTB" },
    { label: "incomplete padding", input: "MY=" },
    { label: "padding in the middle", input: "MY==MZXQ" },
    { label: "a length no byte string encodes to", input: "MZX" },
    { label: "non-zero trailing bits", input: "MZ" },
    // Both would decode if upper-cased first: ſ → S, ı → I.
    { label: "a long s, which upper-cases to S", input: "MZXW6YT\u017f" },
    { label: "a dotless i, which upper-cases to I", input: "m\u0131" },
    { label: "a fullwidth letter", input: "ＭＹ" },
  ])("returns null for $label", ({ input }) => {
    expect(decodeBase32(input)).toBeNull();
  });

  it("returns null for arbitrary strings instead of throwing", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const decoded = decodeBase32(text);
        return decoded === null || decoded instanceof Uint8Array;
      }),
      { numRuns: 500 },
    );
  });
});
