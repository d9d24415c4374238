import { describe, expect, it } from "vitest";
import { hotp, hotpFromSecret, importHmacKey } from "../../src/otp/hotp";
import { RFC_SEEDS, referenceHotp } from "./reference-hotp";

// RFC 4226 Appendix D: secret "12345678901234567890", SHA-1, 6 digits, counters 0…9.
const RFC4226_CODES = [
  "755224",
  "287082",
  "359152",
  "969429",
  "338314",
  "254676",
  "287922",
  "162583",
  "399871",
  "520489",
];

describe("hotp", () => {
  it.each(RFC4226_CODES.map((code, counter) => ({ counter, code })))(
    "matches RFC 4226 Appendix D at counter $counter ($code)",
    async ({ counter, code }) => {
      expect(await hotpFromSecret(RFC_SEEDS.SHA1, counter, 6, "SHA1")).toBe(code);
    },
  );

  it.each([2 ** 32, 2 ** 32 + 1, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER])(
    "writes counter %d beyond 2^32 as the independent implementation does",
    async (counter) => {
      const key = await importHmacKey(RFC_SEEDS.SHA1, "SHA1");
      expect(await hotp(key, counter, 8)).toBe(referenceHotp(RFC_SEEDS.SHA1, counter, 8, "SHA1"));
    },
  );

  it("gives a different code at 2^32 than at 0, so the high word is not dropped", async () => {
    const key = await importHmacKey(RFC_SEEDS.SHA1, "SHA1");
    expect(await hotp(key, 2 ** 32, 6)).not.toBe(await hotp(key, 0, 6));
  });

  it("zero-pads codes to the requested number of digits", async () => {
    // RFC 6238 Appendix B: SHA-1 at T = 0x23523EC (t = 1111111109) is 07081804, with a leading zero.
    expect(await hotpFromSecret(RFC_SEEDS.SHA1, 0x23523ec, 8, "SHA1")).toBe("07081804");
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])("refuses counter %d", async (counter) => {
    const key = await importHmacKey(RFC_SEEDS.SHA1, "SHA1");
    await expect(hotp(key, counter, 6)).rejects.toThrow(RangeError);
  });

  it.each([5, 9, 6.5])("refuses %d digits", async (digits) => {
    const key = await importHmacKey(RFC_SEEDS.SHA1, "SHA1");
    await expect(hotp(key, 0, digits)).rejects.toThrow(RangeError);
  });

  it("refuses an algorithm outside SHA1, SHA256 and SHA512", async () => {
    await expect(importHmacKey(RFC_SEEDS.SHA1, "MD5" as never)).rejects.toThrow(RangeError);
  });
});
