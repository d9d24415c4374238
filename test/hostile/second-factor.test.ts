/**
 * Hostile codes where they matter most: malformed TOTP and recovery codes against a real sign-in
 * challenge, and malformed bodies on the authenticated MFA routes of real sessions. Each must be
 * refused with 400 before anything is counted: no attempt, no IP token, no write.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/api";
import { codeAt } from "../helpers/authenticator";
import { loadOperations, type Operation, seedWorld, type World } from "../helpers/hostile";
import { forgetState, type Identity, runCase, runs, summary } from "../helpers/hostile-case";
import { CODE_TRAPS, hostileObject, hostileValue, wrongLengthCode } from "../helpers/hostile-values";

let world: World;
let ops: Map<string, Operation>;
const TIMEOUT = 60_000;

beforeAll(async () => {
  ops = new Map((await loadOperations()).map((op) => [op.key, op]));
  world = await seedWorld();
  // A pending enrollment for the plain account, so a confirmation has something it could spend.
  const plain = new ApiClient();
  plain.token = world.plain.token;
  expect((await plain.json("GET", "/api/v1/account/mfa")).status).toBe(200);
  forgetState();
}, TIMEOUT);

afterAll(() => console.log(summary("hostile/second-factor")));

// The documented input rules, written here independently of src/otp and auth/recovery-codes.
const MAX: Record<string, number> = {
  otp: 64,
  recovery_code: 64,
  challenge: 128,
  token: 64,
  secret: 128,
  sudo_password: 1024,
};
const isOtp = (v: unknown) => typeof v === "string" && v.length <= 64 && /^[0-9]{6}$/.test(v.replace(/[ -]/g, ""));
const isRecoveryCode = (v: unknown) =>
  typeof v === "string" &&
  v.length <= 64 &&
  /^[0-9A-HJKMNP-TV-Z]{16}$/.test(v.toUpperCase().replace(/[ -]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1"));
/** Every present field of the schema is a string within its maximum. */
const shapeOk = (body: Record<string, unknown>, fields: readonly string[]) =>
  fields.every(
    (f) => !Object.hasOwn(body, f) || (typeof body[f] === "string" && (body[f] as string).length <= MAX[f]!),
  );

const recoveryTraps = fc.constantFrom(
  "ABCD-EFGH-JKMN-PQR", // 15 symbols
  "ABCD-EFGH-JKMN-PQRST", // 17
  "ABCD-EFGH-JKMN-PQRU", // U is not in the alphabet
  "ＡＢＣＤ-ＥＦＧＨ-ＪＫＭＮ-ＰＱＲＳ", // fullwidth
  "ABCD_EFGH_JKMN_PQRS",
  "ABCD\u0000EFGH-JKMN-PQRS",
  "' OR 1=1 --",
);
const codeValue = fc.oneof(fc.constantFrom(...CODE_TRAPS), wrongLengthCode, recoveryTraps, hostileValue);

/** One code field, both, or neither — never exactly one well-formed code, which is a counted guess by design. */
const malformedSecondFactor = fc
  .oneof(
    fc.record({ otp: codeValue }),
    fc.record({ recovery_code: codeValue }),
    fc.record({ otp: codeValue, recovery_code: codeValue }),
    fc.record({ otp: fc.constant("123456"), recovery_code: fc.constant("ABCD-EFGH-JKMN-PQRS") }),
    fc.constant({}),
  )
  .filter((b: Record<string, unknown>) => {
    const otp = Object.hasOwn(b, "otp");
    const rc = Object.hasOwn(b, "recovery_code");
    // Excluded by design: a single well-formed code against a real challenge is judged and counted.
    return !((otp && !rc && isOtp(b.otp)) || (rc && !otp && isRecoveryCode(b.recovery_code)));
  });

describe("hostile codes against real challenges and sessions", () => {
  it(
    "refuses malformed codes for a real challenge with 400, counting nothing",
    async () => {
      const delivery = fc.constantFrom("body", "cookie", "both");
      await fc.assert(
        fc.asyncProperty(
          malformedSecondFactor,
          delivery,
          fc.constantFrom("password", "link"),
          async (code, via, strategy) => {
            const body = via === "cookie" ? code : { ...code, challenge: world.enrolled.challenge };
            const identity: Identity =
              via === "body"
                ? { kind: "none" }
                : { kind: "cookie", value: `__Secure-mfa_challenge=${world.enrolled.challenge}` };
            const answer = await runCase(world, {
              op: ops.get("POST /auth/{strategy}/mfa")!,
              identity,
              pathParams: { strategy },
              contentType: "application/json",
              body: JSON.stringify(body),
            });
            expect(answer.code).toBe("VALIDATION_FAILED");
          },
        ),
        runs(300),
      );
    },
    TIMEOUT,
  );

  it(
    "refuses malformed bodies on the authenticated MFA routes with 400, counting nothing",
    async () => {
      const cases: { key: string; identity: Identity; byDesign: (b: Record<string, unknown>) => boolean }[] = [
        // A well-formed code is a counted confirmation attempt that also takes an IP token.
        {
          key: "PUT /api/v1/account/mfa",
          identity: { kind: "plain-bearer" },
          byDesign: (b) => isOtp(b.token) && shapeOk(b, ["secret"]),
        },
        // A well-formed code is a counted step-up attempt.
        {
          key: "POST /api/v1/account/mfa/recovery-codes",
          identity: { kind: "enrolled-bearer" },
          byDesign: (b) => isOtp(b.otp),
        },
        // Any well-shaped body is a counted sudo-password guess (and a scrypt).
        {
          key: "DELETE /api/v1/account/mfa",
          identity: { kind: "enrolled-bearer" },
          byDesign: (b) => shapeOk(b, ["sudo_password", "otp"]),
        },
      ];
      const arb = fc.constantFrom(...cases).chain((c) => {
        const op = ops.get(c.key)!;
        const fields = op.bodyFields!;
        const body = hostileObject(fields).map((b) => (fields.includes("token") ? { token: "12345", ...b } : b));
        return fc.tuple(
          fc.constant(c),
          fc.constant(op),
          body.filter((b) => !c.byDesign(b)),
        );
      });
      await fc.assert(
        fc.asyncProperty(arb, async ([c, op, body]) => {
          const answer = await runCase(world, {
            op,
            identity: c.identity,
            contentType: "application/json",
            body: JSON.stringify(body),
          });
          expect(answer.code).toBe("VALIDATION_FAILED");
        }),
        runs(300),
      );
    },
    TIMEOUT,
  );

  it("leaves the challenge usable: after every malformed attempt, the right code still signs in", async () => {
    const client = new ApiClient();
    client.challenge = world.enrolled.challenge;
    const done = await client.mfa({ otp: codeAt(world.enrolled.secret, Date.now() + 30_000) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  });
});
