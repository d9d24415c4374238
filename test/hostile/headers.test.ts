/**
 * Hostile headers and paths on every documented operation: garbage cookies and Authorization
 * headers (401, nothing written), cross-origin requests riding a real session cookie (403),
 * malformed client addresses, and hostile path parameters.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, loadOperations, type Operation, seedWorld, type World } from "../helpers/hostile";
import { anonymousOrPlain, forgetState, pathParams, runCase, runs, summary } from "../helpers/hostile-case";
import {
  garbageAuthorization,
  garbageCookie,
  headerSafe,
  hostilePathSegment,
  hostileString,
  UNICODE_HEADERS,
} from "../helpers/hostile-values";

let world: World;
let ops: Operation[];
const TIMEOUT = 60_000;

beforeAll(async () => {
  ops = await loadOperations();
  world = await seedWorld();
  forgetState();
}, TIMEOUT);

afterAll(() => console.log(summary("hostile/headers")));

/** A secured route refuses a request without a valid credential before it does anything else. */
function expectLockedOut(op: Operation, answer: Answer) {
  if (!answer.routed) return;
  if (op.secured) expect(answer.code).toBe("UNAUTHENTICATED");
  if (op.operator) expect(["UNAUTHENTICATED", "NOT_FOUND"]).toContain(answer.code);
}

/** A body each operation validates, so only the header under test can make it fail. */
const harmlessBody = (op: Operation) => (op.bodyFields ? { contentType: "application/json", body: "{}" } : {});

describe("hostile headers and paths on every documented operation", () => {
  it(
    "answers garbage Authorization headers with 401 on secured routes and writes nothing",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ops), garbageAuthorization, pathParams, async (op, value, params) => {
          const answer = await runCase(world, {
            op,
            identity: { kind: "authorization", value },
            pathParams: params,
            ...harmlessBody(op),
          });
          expectLockedOut(op, answer);
        }),
        runs(300),
      );
    },
    TIMEOUT,
  );

  it(
    "answers garbage cookies with 401 on secured routes and writes nothing",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ops), garbageCookie, pathParams, async (op, value, params) => {
          const answer = await runCase(world, {
            op,
            identity: { kind: "cookie", value },
            pathParams: params,
            ...harmlessBody(op),
          });
          expectLockedOut(op, answer);
        }),
        runs(300),
      );
    },
    TIMEOUT,
  );

  it(
    "refuses cross-origin unsafe requests that carry the session cookie with 403",
    async () => {
      const unsafe = ops.filter((op) => op.method !== "GET" && op.key !== "POST /auth/logout");
      const crossSite = fc.oneof(
        fc.record({
          Origin: fc.constantFrom("https://evil.test", "null", "http://mfa.test", "https://mfa.test.evil.test"),
        }),
        fc.record({ "Sec-Fetch-Site": fc.constantFrom("cross-site", "same-site", "garbage", "") }),
        fc.record({ Origin: hostileString.map(headerSafe) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...unsafe), crossSite, async (op, headers) => {
          const answer = await runCase(world, {
            op,
            identity: { kind: "plain-cookie" },
            pathParams: { strategy: "password", id: "x" },
            headers: headers as Record<string, string>,
            ...harmlessBody(op),
          });
          // The test transport drops empty header values: an empty header is an absent one.
          const origin = (headers as { Origin?: string }).Origin?.trim() || undefined;
          const site = (headers as { "Sec-Fetch-Site"?: string })["Sec-Fetch-Site"] || undefined;
          const sameOrigin = origin === undefined ? site === undefined : origin === "https://mfa.test";
          if (!sameOrigin) expect(answer.code).toBe("CSRF_REJECTED");
        }),
        runs(200),
      );
    },
    TIMEOUT,
  );

  it(
    "keys malformed client addresses to one bucket and writes nothing for a malformed body",
    async () => {
      const address = fc.oneof(
        fc.constantFrom("", " ", "unknown", "1.2.3.4, 5.6.7.8", "::ffff:1.2.3.4 ", "999.999.999.999", "a".repeat(100)),
        hostileString.map(headerSafe),
      );
      const authOps = ops.filter((op) => op.path.startsWith("/auth/") && op.bodyFields);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...authOps), address, async (op, ip) => {
          const answer = await runCase(world, {
            op,
            identity: { kind: "none" },
            ip,
            headers: { "X-Forwarded-For": "203.0.113.7" },
            pathParams: { strategy: "password", id: "x" },
            contentType: "application/json",
            body: '{"email":1}',
          });
          expect(answer.code).toBe("VALIDATION_FAILED");
        }),
        runs(150),
      );
    },
    TIMEOUT,
  );

  it(
    "survives non-ASCII bytes in Authorization, Cookie, Origin and CF-Connecting-IP",
    async () => {
      // A secured read, a secured write with a body, a public write: workerd warns on every such request.
      const keys = ["GET /api/v1/account/security", "PUT /api/v1/account/mfa", "POST /auth/{strategy}/mfa"];
      for (const op of ops.filter((o) => keys.includes(o.key))) {
        for (const { "CF-Connecting-IP": ip, ...headers } of UNICODE_HEADERS) {
          const answer = await runCase(world, {
            op,
            identity: { kind: "none" },
            pathParams: { strategy: "password", id: "x" },
            ip,
            headers,
            ...harmlessBody(op),
          });
          if (op.secured && (headers.Authorization || headers.Cookie)) expect(answer.code).toBe("UNAUTHENTICATED");
        }
      }
    },
    TIMEOUT,
  );

  it(
    "survives hostile path parameters and never revokes a session it does not own",
    async () => {
      const withParams = ops.filter((op) => op.pathParams.length > 0);
      const id = fc.oneof(hostilePathSegment, fc.constant(world.enrolled.sessionId));
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...withParams),
          anonymousOrPlain,
          hostilePathSegment,
          id,
          async (op, identity, strategy, sessionId) => {
            const answer = await runCase(world, {
              op,
              identity,
              pathParams: { strategy, id: sessionId },
              ...harmlessBody(op),
            });
            if (op.key === "DELETE /api/v1/account/sessions/{id}" && answer.routed && identity.kind !== "none")
              expect(["VALIDATION_FAILED", "SESSION_NOT_FOUND"]).toContain(answer.code);
          },
        ),
        runs(250),
      );
    },
    TIMEOUT,
  );
});
