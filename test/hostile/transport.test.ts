/**
 * Hostile transport on every documented operation: wrong media types (415), bodies over the
 * 16 KiB cap up to 1 MB and beyond, with and without Content-Length (413, before parsing), and
 * absurd query strings. Never a 5xx, always the error shape, nothing written.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import authConfig from "../../config/auth";
import type { Operation, World } from "../helpers/hostile";
import { anonymousOrPlain, hostileSetup, pathParams, runCase, runs, summary } from "../helpers/hostile-case";
import { absurdQuery, unsupportedMediaType } from "../helpers/hostile-values";

let world: World;
let ops: Operation[];
let bodyOps: Operation[];
let unsafeOps: Operation[];
const TIMEOUT = 60_000;
const CAP = authConfig.maxBodyBytes;

beforeAll(async () => {
  ({ ops, bodyOps, unsafeOps, world } = await hostileSetup());
}, TIMEOUT);

afterAll(() => console.log(summary("hostile/transport")));

/** A body of exactly `size` bytes, JSON-looking or a 1 MB string inside a real field. */
function oversized(size: number, field: string | undefined, shape: "field" | "raw"): string {
  if (shape === "raw" || !field) return "x".repeat(size);
  const wrapper = JSON.stringify({ [field]: "" });
  return JSON.stringify({ [field]: "a".repeat(Math.max(0, size - wrapper.length)) });
}

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const chunk = 8 * 1024;
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + chunk));
      at += chunk;
    },
  });
}

describe("hostile transport on every documented operation", () => {
  it(
    "refuses a media type it does not speak with 415 UNSUPPORTED_MEDIA_TYPE",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...bodyOps),
          anonymousOrPlain,
          unsupportedMediaType,
          fc.constantFrom(
            '{"email":"ada@example.com","password":"correct horse battery staple"}',
            "<a/>",
            "otp=123456",
          ),
          async (op, identity, type, body) => {
            const answer = await runCase(world, {
              op,
              identity,
              pathParams: { strategy: "password", id: "x" },
              contentType: type,
              body,
            });
            // A secured route asks for a session before it looks at the body.
            const expected = op.secured && identity.kind === "none" ? "UNAUTHENTICATED" : "UNSUPPORTED_MEDIA_TYPE";
            expect(answer.code).toBe(expected);
          },
        ),
        runs(250),
      );
    },
    TIMEOUT,
  );

  it(
    "refuses a body over the cap with 413 PAYLOAD_TOO_LARGE, streamed or not, before parsing",
    async () => {
      const size = fc.oneof(
        fc.constantFrom(CAP + 1, 1024 * 1024, 1024 * 1024 + 1),
        fc.integer({ min: CAP + 1, max: 2 * 1024 * 1024 }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...unsafeOps),
          anonymousOrPlain,
          size,
          fc.constantFrom("field", "raw") as fc.Arbitrary<"field" | "raw">,
          fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain", undefined),
          // One case in five streams its body (no Content-Length); workerd logs each aborted stream.
          fc.constantFrom(false, false, false, false, true),
          async (op, identity, bytes, shape, type, streamed) => {
            const text = oversized(bytes, op.bodyFields?.[0], shape);
            const answer = await runCase(world, {
              op,
              identity,
              pathParams: { strategy: "password", id: "x" },
              contentType: type,
              body: streamed ? streamOf(text) : text,
            });
            expect(answer.code).toBe("PAYLOAD_TOO_LARGE");
          },
        ),
        runs(120),
      );
    },
    TIMEOUT,
  );

  it("accepts a body of exactly the cap (the limit is not off by one)", async () => {
    const op = bodyOps.find((o) => o.key === "POST /auth/signup")!;
    const answer = await runCase(world, {
      op,
      identity: { kind: "none" },
      contentType: "application/json",
      body: oversized(CAP, "email", "field"),
    });
    expect(answer.code).toBe("VALIDATION_FAILED");
  });

  it(
    "survives absurd query strings",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ops),
          anonymousOrPlain,
          pathParams,
          absurdQuery,
          async (op, identity, params, query) => {
            const answer = await runCase(world, {
              op,
              identity,
              pathParams: params,
              query,
              headers: { Accept: "application/json" },
              contentType: op.bodyFields ? "application/json" : undefined,
              body: op.bodyFields ? "{}" : undefined,
            });
            // The link callback takes exactly one token of at most 256 characters.
            const tokens = new URLSearchParams(query).getAll("token");
            if (op.key === "GET /auth/link/callback" && (tokens.length !== 1 || tokens[0]!.length > 256))
              expect(answer.code).toBe("VALIDATION_FAILED");
          },
        ),
        runs(250),
      );
    },
    TIMEOUT,
  );
});
