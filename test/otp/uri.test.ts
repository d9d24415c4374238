import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildOtpauthUri, type OtpauthParams, OtpauthUriError, parseOtpauthUri } from "../../src/otp/uri";
import { RFC_SEEDS } from "./reference-hotp";

const BASE: OtpauthParams = {
  issuer: "edge-mfa",
  account: "alice@example.com",
  secret: RFC_SEEDS.SHA1,
  algorithm: "SHA1",
  digits: 6,
  periodSeconds: 30,
};
const SEED_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const VALID = `otpauth://totp/edge-mfa:alice%40example.com?secret=${SEED_BASE32}&issuer=edge-mfa`;

describe("buildOtpauthUri", () => {
  it("writes the label, the issuer parameter and every setting", () => {
    expect(buildOtpauthUri(BASE)).toBe(
      `otpauth://totp/edge-mfa:alice%40example.com?secret=${SEED_BASE32}&issuer=edge-mfa&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it("encodes spaces as %20 in the label and the issuer parameter", () => {
    const uri = buildOtpauthUri({ ...BASE, issuer: "ACME Co", account: "a b" });
    expect(uri).toMatch(/^otpauth:\/\/totp\/ACME%20Co:a%20b\?.*&issuer=ACME%20Co&/);
  });

  it("writes the secret without padding", () => {
    // 16 bytes would need six '=' in padded base32.
    const uri = buildOtpauthUri({ ...BASE, secret: new Uint8Array(16).fill(0xa5) });
    expect(uri).toMatch(/\?secret=[A-Z2-7]{26}&/);
  });

  it.each([
    { label: "an issuer with ':'", field: "issuer", value: "Evil:Bank" },
    { label: "an account with ':'", field: "account", value: "alice:admin" },
    { label: "an empty issuer", field: "issuer", value: "" },
    { label: "an empty account", field: "account", value: "" },
    // Named by label: a lone surrogate in a test name cannot cross the pool's UTF-8 channel.
    { label: "an account with a lone surrogate", field: "account", value: "lone \ud800 surrogate" },
  ])("refuses $label", ({ field, value }) => {
    expect(() => buildOtpauthUri({ ...BASE, [field]: value })).toThrow(OtpauthUriError);
  });

  it.each([5, 9])("refuses %d digits", (digits) => {
    expect(() => buildOtpauthUri({ ...BASE, digits })).toThrow(OtpauthUriError);
  });

  it("refuses an empty secret", () => {
    expect(() => buildOtpauthUri({ ...BASE, secret: new Uint8Array(0) })).toThrow(OtpauthUriError);
  });
});

describe("parseOtpauthUri", () => {
  it.each([
    { issuer: "ACME Co", account: "john.doe@example.com" },
    { issuer: "Ümlaut Bank", account: "名前@例え.jp" },
    { issuer: "A&B?C#D", account: "x/y%z 100%" },
    { issuer: "Plus+Sign", account: "equals=sign&more" },
    { issuer: "😀 emoji", account: "ünïcödé" },
  ])("round-trips issuer $issuer and account $account", ({ issuer, account }) => {
    const params: OtpauthParams = { ...BASE, issuer, account, algorithm: "SHA256", digits: 8, periodSeconds: 60 };
    expect(parseOtpauthUri(buildOtpauthUri(params))).toEqual(params);
  });

  it("round-trips any issuer, account and secret without ':'", () => {
    const part = fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).filter((s) => !s.includes(":"));
    fc.assert(
      fc.property(
        part,
        part,
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.constantFrom("SHA1", "SHA256", "SHA512" as const),
        fc.integer({ min: 6, max: 8 }),
        fc.integer({ min: 1, max: 300 }),
        (issuer, account, secret, algorithm, digits, periodSeconds) => {
          const params: OtpauthParams = { issuer, account, secret, algorithm, digits, periodSeconds };
          expect(parseOtpauthUri(buildOtpauthUri(params))).toEqual(params);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("uses SHA1, 6 digits and 30 s when the parameters are absent", () => {
    expect(parseOtpauthUri(VALID)).toEqual(BASE);
  });

  it("accepts a percent-encoded colon between issuer and account", () => {
    expect(parseOtpauthUri(VALID.replace("edge-mfa:", "edge-mfa%3A")).account).toBe("alice@example.com");
  });

  it("accepts a lower-case, padded secret", () => {
    const uri = VALID.replace(SEED_BASE32, "mzxw6ytboi======");
    expect(parseOtpauthUri(uri).secret).toEqual(new TextEncoder().encode("foobar"));
  });

  it("accepts a lower-case algorithm name", () => {
    expect(parseOtpauthUri(`${VALID}&algorithm=sha512`).algorithm).toBe("SHA512");
  });

  it.each([
    { label: "another scheme", uri: VALID.replace("otpauth:", "https:") },
    { label: "the hotp type", uri: VALID.replace("/totp/", "/hotp/") },
    { label: "no parameters", uri: "otpauth://totp/edge-mfa:alice" },
    { label: "a missing secret", uri: "otpauth://totp/edge-mfa:alice?issuer=edge-mfa" },
    { label: "an empty secret", uri: "otpauth://totp/edge-mfa:alice?secret=&issuer=edge-mfa" },
    { label: "a secret that is not base32", uri: VALID.replace(SEED_BASE32, "GEZDGNBV1Y3TQOJQ") },
    { label: "a label issuer that differs from the parameter", uri: VALID.replace("issuer=edge-mfa", "issuer=other") },
    { label: "a missing issuer parameter", uri: VALID.replace("&issuer=edge-mfa", "") },
    { label: "a label without an issuer", uri: VALID.replace("edge-mfa:alice", "alice") },
    { label: "a colon inside the account", uri: VALID.replace("alice%40", "ali:ce%40") },
    { label: "an encoded colon inside the account", uri: VALID.replace("alice%40", "ali%3Ace%40") },
    { label: "a colon inside the issuer parameter", uri: `${VALID.replace("issuer=edge-mfa", "issuer=edge%3Amfa")}` },
    { label: "an empty account", uri: VALID.replace("alice%40example.com", "") },
    { label: "5 digits", uri: `${VALID}&digits=5` },
    { label: "9 digits", uri: `${VALID}&digits=9` },
    { label: "digits written as a word", uri: `${VALID}&digits=six` },
    { label: "digits with a sign", uri: `${VALID}&digits=+6` },
    { label: "an unknown algorithm", uri: `${VALID}&algorithm=MD5` },
    { label: "the WebCrypto spelling of the algorithm", uri: `${VALID}&algorithm=SHA-1` },
    { label: "a period of zero", uri: `${VALID}&period=0` },
    { label: "a fractional period", uri: `${VALID}&period=30.5` },
    { label: "a repeated parameter", uri: `${VALID}&secret=${SEED_BASE32}` },
    { label: "a fragment", uri: `${VALID}#x` },
    { label: "broken percent-encoding in the label", uri: VALID.replace("alice%40", "alice%E0%A4") },
  ])("refuses $label", ({ uri }) => {
    expect(() => parseOtpauthUri(uri)).toThrow(OtpauthUriError);
  });

  it("refuses a non-string with OtpauthUriError", () => {
    expect(() => parseOtpauthUri(42 as unknown as string)).toThrow(OtpauthUriError);
  });
});
