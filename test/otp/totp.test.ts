import { describe, expect, it } from "vitest";
import type { OtpAlgorithm } from "../../src/otp/hotp";
import { stepAt, type TotpOptions, totp, verifyTotp } from "../../src/otp/totp";
import { RFC_SEEDS, referenceHotp } from "./reference-hotp";

// RFC 6238 Appendix B: 8 digits, 30 s step, one ASCII seed per hash.
const RFC6238_VECTORS: ReadonlyArray<{ t: number; codes: Record<OtpAlgorithm, string> }> = [
  { t: 59, codes: { SHA1: "94287082", SHA256: "46119246", SHA512: "90693936" } },
  { t: 1111111109, codes: { SHA1: "07081804", SHA256: "68084774", SHA512: "25091201" } },
  { t: 1111111111, codes: { SHA1: "14050471", SHA256: "67062674", SHA512: "99943326" } },
  { t: 1234567890, codes: { SHA1: "89005924", SHA256: "91819424", SHA512: "93441116" } },
  { t: 2000000000, codes: { SHA1: "69279037", SHA256: "90698825", SHA512: "38618901" } },
  { t: 20000000000, codes: { SHA1: "65353130", SHA256: "77737706", SHA512: "47863826" } },
];

const rfcCases = RFC6238_VECTORS.flatMap(({ t, codes }) =>
  (Object.keys(codes) as OtpAlgorithm[]).map((algorithm) => ({ t, algorithm, code: codes[algorithm] })),
);

const SECRET = RFC_SEEDS.SHA1;
const OPTS: TotpOptions = { algorithm: "SHA1", digits: 6, periodSeconds: 30, window: 1 };
const codeOfStep = (step: number) => referenceHotp(SECRET, step, OPTS.digits, OPTS.algorithm);

describe("totp", () => {
  it.each(rfcCases)("matches RFC 6238 Appendix B with $algorithm at t = $t ($code)", async ({ t, algorithm, code }) => {
    const opts: TotpOptions = { algorithm, digits: 8, periodSeconds: 30, window: 0 };
    expect(await totp(RFC_SEEDS[algorithm], t * 1000, opts)).toBe(code);
  });

  it("verifies the 8-digit SHA-512 code of RFC 6238 at t = 20000000000 and returns its step", async () => {
    const opts: TotpOptions = { algorithm: "SHA512", digits: 8, periodSeconds: 30, window: 0 };
    const result = await verifyTotp(RFC_SEEDS.SHA512, "47863826", 20000000000 * 1000, opts);
    expect(result).toEqual({ valid: true, step: Math.floor(20000000000 / 30) });
  });
});

describe("stepAt", () => {
  it.each([
    { seconds: 0, step: 0 },
    { seconds: 29, step: 0 },
    { seconds: 29.999, step: 0 },
    { seconds: 30, step: 1 },
    { seconds: 59, step: 1 },
    { seconds: 60, step: 2 },
  ])("puts t = $seconds s in step $step of 30 s", ({ seconds, step }) => {
    expect(stepAt(seconds * 1000, 30)).toBe(step);
  });

  it.each([0, -30, 1.5, Number.NaN])("refuses a period of %d seconds", (period) => {
    expect(() => stepAt(0, period)).toThrow(RangeError);
  });
});

describe("verifyTotp window", () => {
  const far = 1_000_000; // a step far from the epoch, so −2 exists

  it.each([
    { offset: -1, label: "previous" },
    { offset: 0, label: "current" },
    { offset: 1, label: "next" },
  ])("accepts the $label step's code and returns that step", async ({ offset }) => {
    const result = await verifyTotp(SECRET, codeOfStep(far + offset), far * 30_000 + 12_345, OPTS);
    expect(result).toEqual({ valid: true, step: far + offset });
  });

  it.each([-2, 2])("refuses the code of step offset %d", async (offset) => {
    const result = await verifyTotp(SECRET, codeOfStep(far + offset), far * 30_000 + 12_345, OPTS);
    expect(result).toEqual({ valid: false });
  });

  it.each([
    { seconds: 29, codeStep: 0, expected: { valid: true, step: 0 } },
    { seconds: 29, codeStep: 1, expected: { valid: true, step: 1 } },
    { seconds: 29, codeStep: 2, expected: { valid: false } },
    { seconds: 30, codeStep: 0, expected: { valid: true, step: 0 } },
    { seconds: 30, codeStep: 2, expected: { valid: true, step: 2 } },
    { seconds: 30, codeStep: 3, expected: { valid: false } },
    { seconds: 59, codeStep: 0, expected: { valid: true, step: 0 } },
    { seconds: 59, codeStep: 3, expected: { valid: false } },
    { seconds: 60, codeStep: 0, expected: { valid: false } },
    { seconds: 60, codeStep: 1, expected: { valid: true, step: 1 } },
    { seconds: 60, codeStep: 3, expected: { valid: true, step: 3 } },
  ])("at t = $seconds s treats the code of step $codeStep as $expected", async ({ seconds, codeStep, expected }) => {
    expect(await verifyTotp(SECRET, codeOfStep(codeStep), seconds * 1000, OPTS)).toEqual(expected);
  });

  it("with window 0 refuses the previous step's code", async () => {
    const result = await verifyTotp(SECRET, codeOfStep(far - 1), far * 30_000, { ...OPTS, window: 0 });
    expect(result).toEqual({ valid: false });
  });

  it("skips steps before the epoch instead of throwing", async () => {
    expect(await verifyTotp(SECRET, codeOfStep(0), 0, OPTS)).toEqual({ valid: true, step: 0 });
  });

  // Found by search: with the RFC SHA-1 seed, steps 153567 and 153569 both give 468457, and
  // steps 910737 and 910738 both give 911617.
  it("returns the lowest step when two steps in the window share the code", async () => {
    expect(codeOfStep(153567)).toBe(codeOfStep(153569));
    expect(await verifyTotp(SECRET, "468457", 153568 * 30_000, OPTS)).toEqual({ valid: true, step: 153567 });
  });

  it("returns the lower of two adjacent steps that share the code", async () => {
    expect(await verifyTotp(SECRET, "911617", 910738 * 30_000, OPTS)).toEqual({ valid: true, step: 910737 });
  });

  it("accepts a valid code typed with a space between the groups", async () => {
    const code = codeOfStep(far);
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
    expect(await verifyTotp(SECRET, spaced, far * 30_000, OPTS)).toEqual({ valid: true, step: far });
  });

  it.each([-1, 0.5])("refuses a window of %d", async (window) => {
    await expect(verifyTotp(SECRET, "123456", 0, { ...OPTS, window })).rejects.toThrow(RangeError);
  });
});
