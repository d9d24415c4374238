import { afterEach, describe, expect, it, vi } from "vitest";
import { type TotpOptions, verifyTotp } from "../../src/otp/totp";
import { RFC_SEEDS, referenceHotp } from "./reference-hotp";

const SECRET = RFC_SEEDS.SHA1;
const OPTS: TotpOptions = { algorithm: "SHA1", digits: 6, periodSeconds: 30, window: 1 };
const STEP = 55_555_555;
const NOW = STEP * 30_000;
const windowCodes = [STEP - 1, STEP, STEP + 1].map((step) => referenceHotp(SECRET, step, 6, "SHA1"));
const WRONG_CODE = ["000000", "111111", "222222", "333333"].find((code) => !windowCodes.includes(code))!;

/** Counts the HMAC imports and signatures one verification performs. */
async function cryptoWorkFor(code: unknown) {
  const importKey = vi.spyOn(crypto.subtle, "importKey");
  const sign = vi.spyOn(crypto.subtle, "sign");
  await verifyTotp(SECRET, code as string, NOW, OPTS);
  return { imports: importKey.mock.calls.length, signs: sign.mock.calls.length };
}

describe("verifyTotp does the same work whatever it is given", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    { label: "a code of the previous step", code: windowCodes[0] },
    { label: "a code of the current step", code: windowCodes[1] },
    { label: "a code of the next step", code: windowCodes[2] },
    { label: "a wrong code", code: WRONG_CODE },
    { label: "a malformed code", code: "12345x" },
    { label: "a non-string", code: 123456 },
  ])("imports the key once and signs all three steps for $label", async ({ code }) => {
    expect(await cryptoWorkFor(code)).toEqual({ imports: 1, signs: 3 });
  });

  it("compares every candidate in constant time through crypto.subtle.timingSafeEqual", async () => {
    const compare = vi.spyOn(crypto.subtle, "timingSafeEqual");
    await verifyTotp(SECRET, windowCodes[0]!, NOW, OPTS);
    expect(compare).toHaveBeenCalledTimes(3);
  });
});
