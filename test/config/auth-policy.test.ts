/**
 * config/auth.ts: the shipped policy is valid and frozen, and an invalid one fails at start with
 * a message naming every problem.
 */
import { describe, expect, it } from "vitest";
import authConfig, { type AuthPolicy, parseAuthPolicy } from "../../config/auth";

const withChange = (change: (p: AuthPolicy) => void): unknown => {
  const copy = structuredClone(authConfig) as AuthPolicy;
  change(copy);
  return copy;
};

describe("the authentication policy", () => {
  it("ships the seed's defaults: mfa on, SHA1, 6 digits, 30 s, window 1, 20-byte secrets", () => {
    expect(authConfig.mfa).toBe(true);
    expect(authConfig.totp).toEqual({ algorithm: "SHA1", digits: 6, periodSeconds: 30, window: 1, secretBytes: 20 });
  });

  it("is frozen, so no module can loosen it at run time", () => {
    expect(Object.isFrozen(authConfig)).toBe(true);
    expect(Object.isFrozen(authConfig.limits)).toBe(true);
  });

  it("accepts 'required' and false for mfa", () => {
    expect(parseAuthPolicy(withChange((p) => Object.assign(p, { mfa: "required" }))).mfa).toBe("required");
    expect(parseAuthPolicy(withChange((p) => Object.assign(p, { mfa: false }))).mfa).toBe(false);
  });

  it("refuses an invalid policy with one message naming every problem", () => {
    const bad = withChange((p) => {
      Object.assign(p, { mfa: "sometimes", issuer: "Acme:Corp" });
      Object.assign(p.totp, { digits: 9, window: 5 });
      Object.assign(p.limits, { secondFactorMaxConsecutiveFailures: 500 });
    });
    expect(() => parseAuthPolicy(bad)).toThrowError(/Invalid config\/auth\.ts/);
    try {
      parseAuthPolicy(bad);
    } catch (err) {
      const message = (err as Error).message;
      for (const field of [
        "mfa",
        "issuer",
        "totp.digits",
        "totp.window",
        "limits.secondFactorMaxConsecutiveFailures",
      ]) {
        expect(message).toContain(field);
      }
    }
  });

  it("refuses recovery codes of fewer than 80 bits and a lock threshold above the NIST ceiling", () => {
    expect(() => parseAuthPolicy(withChange((p) => Object.assign(p.recoveryCodes, { groups: 2 })))).toThrowError(
      /80 required/,
    );
    expect(() =>
      parseAuthPolicy(withChange((p) => Object.assign(p.limits, { secondFactorFailuresBeforeLock: 101 }))),
    ).toThrowError(/lock threshold exceeds the consecutive-failure ceiling/);
  });
});
