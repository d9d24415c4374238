import { describe, expect, it } from "vitest";
import { generateSecret } from "../../src/otp/secret";

describe("generateSecret", () => {
  it("returns 20 bytes by default", () => {
    expect(generateSecret()).toHaveLength(20);
  });

  it("returns the requested number of bytes", () => {
    expect(generateSecret(32)).toHaveLength(32);
  });

  it("returns a different secret on each call", () => {
    expect(generateSecret()).not.toEqual(generateSecret());
  });

  it.each([15, 65, 20.5])("refuses %d bytes", (bytes) => {
    expect(() => generateSecret(bytes)).toThrow(RangeError);
  });
});
