import { afterEach, describe, expect, it } from "vitest";
import { constantTimeEqual } from "../../src/otp/constant-time";

const bytes = (...values: number[]) => Uint8Array.from(values);

/** Hides workerd's native comparison so the portable loop runs. */
function withoutNativeCompare(): void {
  Object.defineProperty(crypto.subtle, "timingSafeEqual", { value: undefined, configurable: true });
  if (crypto.subtle.timingSafeEqual !== undefined) throw new Error("could not hide timingSafeEqual");
}

describe.each([
  { runtime: "with crypto.subtle.timingSafeEqual", setup: () => {} },
  { runtime: "with the portable fallback", setup: withoutNativeCompare },
])("constantTimeEqual $runtime", ({ setup }) => {
  afterEach(() => {
    // Removing the own property re-exposes the prototype's method.
    Reflect.deleteProperty(crypto.subtle, "timingSafeEqual");
  });

  it("returns true for equal bytes", () => {
    setup();
    expect(constantTimeEqual(bytes(1, 2, 3), bytes(1, 2, 3))).toBe(true);
  });

  it("returns false when only the last byte differs", () => {
    setup();
    expect(constantTimeEqual(bytes(1, 2, 3), bytes(1, 2, 4))).toBe(false);
  });

  it("returns false when only the first byte differs", () => {
    setup();
    expect(constantTimeEqual(bytes(9, 2, 3), bytes(1, 2, 3))).toBe(false);
  });

  it("returns false for a prefix instead of throwing", () => {
    setup();
    expect(constantTimeEqual(bytes(1, 2), bytes(1, 2, 3))).toBe(false);
  });

  it("returns true for two empty inputs", () => {
    setup();
    expect(constantTimeEqual(bytes(), bytes())).toBe(true);
  });
});

describe("constantTimeEqual in workerd", () => {
  it("finds the native comparison it prefers", () => {
    expect(typeof crypto.subtle.timingSafeEqual).toBe("function");
  });
});
