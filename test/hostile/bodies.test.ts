/**
 * Hostile request bodies against every operation of /openapi.json: random JSON of every type,
 * malformed JSON text, schema fields with wrong types, missing and extra fields, duplicate keys,
 * broken UTF-8 and hostile forms. Never a 5xx, always the error shape, nothing written.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import authConfig from "../../config/auth";
import type { Answer, Operation, World } from "../helpers/hostile";
import {
  anonymousOrPlain,
  hostileSetup,
  type Identity,
  pathParams,
  runCase,
  runs,
  summary,
} from "../helpers/hostile-case";
import {
  brokenUtf8Body,
  duplicateKeyJson,
  hostileFormBody,
  hostileMultipart,
  hostileObject,
  malformedJsonText,
} from "../helpers/hostile-values";

let world: World;
let ops: Operation[];
let bodyOps: Operation[];
let unsafeOps: Operation[];
const TIMEOUT = 60_000;

beforeAll(async () => {
  ({ ops, bodyOps, unsafeOps, world } = await hostileSetup());
}, TIMEOUT);

afterAll(() => console.log(summary("hostile/bodies")));

/** A body the route cannot accept is refused before anything: 401 first on a secured route without a session. */
function expectRefused(op: Operation, identity: Identity, answer: Answer) {
  if (!answer.routed) return;
  const status = answer.status;
  const signedIn = identity.kind === "plain-bearer" || identity.kind === "plain-cookie";
  expect(status).toBe(op.secured && !signedIn ? 401 : 400);
}

const parses = (text: string) =>
  new Response(text).json().then(
    () => true,
    () => false,
  );

describe("hostile bodies on every documented operation", () => {
  it("lists the operations it drives", () => {
    expect(ops.map((op) => op.key)).toEqual(
      expect.arrayContaining(["POST /auth/signup", "POST /auth/{strategy}/mfa", "PUT /api/v1/account/mfa"]),
    );
    expect(bodyOps.length).toBeGreaterThanOrEqual(7);
  });

  it(
    "survives any JSON value as a body",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...unsafeOps),
          anonymousOrPlain,
          pathParams,
          fc.jsonValue(),
          async (op, identity, params, value) => {
            await runCase(world, {
              op,
              identity,
              pathParams: params,
              contentType: "application/json",
              body: JSON.stringify(value),
              parsed: value,
            });
          },
        ),
        runs(300),
      );
    },
    TIMEOUT,
  );

  it(
    "refuses malformed JSON text with 400 before reading a field",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...bodyOps),
          anonymousOrPlain,
          malformedJsonText,
          async (op, identity, text) => {
            const answer = await runCase(world, {
              op,
              identity,
              pathParams: { strategy: "password", id: "x" },
              contentType: "application/json",
              body: text,
            });
            if (!(await parses(text))) expectRefused(op, identity, answer);
          },
        ),
        runs(300),
      );
    },
    TIMEOUT,
  );

  it(
    "refuses fields of the wrong type, ignores extra ones, and survives missing ones",
    async () => {
      const arb = fc
        .constantFrom(...bodyOps)
        .chain((op) => fc.tuple(fc.constant(op), anonymousOrPlain, pathParams, hostileObject(op.bodyFields!)));
      await fc.assert(
        fc.asyncProperty(arb, async ([op, identity, params, body]) => {
          const answer = await runCase(world, {
            op,
            identity,
            pathParams: params,
            contentType: "application/json",
            body: JSON.stringify(body),
            parsed: body,
          });
          const wrongType = op.bodyFields!.some((f) => Object.hasOwn(body, f) && typeof body[f] !== "string");
          if (wrongType) expectRefused(op, identity, answer);
        }),
        runs(300),
      );
    },
    TIMEOUT,
  );

  it(
    "refuses a password outside the policy's length at sign-up before taking an IP token",
    async () => {
      const signUp = bodyOps.find((op) => op.key === "POST /auth/signup")!;
      const body = fc.record({
        email: fc.stringMatching(/^[a-z][a-z0-9]{0,11}@example\.com$/),
        password: fc.oneof(
          fc.string({ maxLength: authConfig.password.minLength - 1 }),
          fc.string({ minLength: authConfig.password.maxLength + 1, maxLength: 1024 }),
        ),
      });
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const answer = await runCase(world, {
            op: signUp,
            identity: { kind: "none" },
            contentType: "application/json",
            body: JSON.stringify(b),
            parsed: b,
          });
          expect(answer.code).toBe("VALIDATION_FAILED");
        }),
        runs(100),
      );
    },
    TIMEOUT,
  );

  it(
    "survives duplicate keys in raw JSON text",
    async () => {
      const arb = fc
        .constantFrom(...bodyOps)
        .chain((op) => fc.tuple(fc.constant(op), anonymousOrPlain, duplicateKeyJson(op.bodyFields!)));
      await fc.assert(
        fc.asyncProperty(arb, async ([op, identity, text]) => {
          await runCase(world, {
            op,
            identity,
            pathParams: { strategy: "password", id: "x" },
            contentType: "application/json",
            body: text,
            parsed: JSON.parse(text),
          });
        }),
        runs(200),
      );
    },
    TIMEOUT,
  );

  it(
    "survives invalid UTF-8 bytes in a body",
    async () => {
      const arb = fc
        .constantFrom(...bodyOps)
        .chain((op) => fc.tuple(fc.constant(op), anonymousOrPlain, brokenUtf8Body(op.bodyFields!)));
      await fc.assert(
        fc.asyncProperty(arb, async ([op, identity, bytes]) => {
          await runCase(world, {
            op,
            identity,
            pathParams: { strategy: "password", id: "x" },
            contentType: "application/json",
            body: bytes,
          });
        }),
        runs(150),
      );
    },
    TIMEOUT,
  );

  it(
    "survives hostile HTML forms, urlencoded and multipart",
    async () => {
      const form = fc.constantFrom(...unsafeOps).chain((op) =>
        fc.tuple(
          fc.constant(op),
          anonymousOrPlain,
          pathParams,
          fc.oneof(
            hostileFormBody(op.bodyFields ?? ["email"]).map((body) => ({
              type: "application/x-www-form-urlencoded",
              body,
            })),
            hostileMultipart,
          ),
        ),
      );
      await fc.assert(
        fc.asyncProperty(form, async ([op, identity, params, { type, body }]) => {
          await runCase(world, { op, identity, pathParams: params, contentType: type, body });
        }),
        runs(250),
      );
    },
    TIMEOUT,
  );
});
