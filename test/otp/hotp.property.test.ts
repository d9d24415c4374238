import fc from "fast-check";
import { describe, it } from "vitest";
import { hotp, importHmacKey, type OtpAlgorithm } from "../../src/otp/hotp";
import { referenceHotp } from "./reference-hotp";

const RUNS_PER_ALGORITHM = 250;

const counters = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.integer({ min: 2 ** 32 - 2, max: 2 ** 32 + 2 }),
  fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, Number.MAX_SAFE_INTEGER),
);

describe("hotp against an independent @noble/hashes implementation", () => {
  it.each<OtpAlgorithm>(["SHA1", "SHA256", "SHA512"])(
    "agrees for random secrets, counters up to 2^53 − 1 and 6–8 digits with %s",
    async (algorithm) => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 16, maxLength: 64 }),
          counters,
          fc.integer({ min: 6, max: 8 }),
          async (secret, counter, digits) => {
            const key = await importHmacKey(secret, algorithm);
            return (await hotp(key, counter, digits)) === referenceHotp(secret, counter, digits, algorithm);
          },
        ),
        { numRuns: RUNS_PER_ALGORITHM },
      );
    },
  );
});
