/**
 * `/openapi.json`: an OpenAPI 3.1 document listing every route of the API, each with its
 * documented error codes in the one error shape.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";

interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: Record<string, string[]>[];
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

let doc: Document;
beforeAll(async () => {
  const res = await exports.default.fetch("https://mfa.test/openapi.json");
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
});

const op = (method: string, path: string): Operation => {
  const operation = doc.paths[path]?.[method];
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  return operation;
};

/** Every error code a route documents, read from its error responses. */
function documentedCodes(operation: Operation): string[] {
  return Object.entries(operation.responses)
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([, r]) => r.description.replace(/^Error:\s*/, "").split(/,\s*/));
}

const ROUTES = [
  ["get", "/health"],
  ["post", "/auth/signup"],
  ["post", "/auth/password"],
  ["post", "/auth/link"],
  ["get", "/auth/link/callback"],
  ["post", "/auth/{strategy}/mfa"],
  ["post", "/auth/logout"],
  ["get", "/api/v1/account/mfa"],
  ["put", "/api/v1/account/mfa"],
  ["delete", "/api/v1/account/mfa"],
  ["post", "/api/v1/account/mfa/recovery-codes"],
  ["get", "/api/v1/account/security"],
  ["get", "/api/v1/account/sessions"],
  ["delete", "/api/v1/account/sessions/{id}"],
] as const;

/** The codes the tests in test/auth, test/account and test/security show each route answering. */
const CODES_SEEN: Record<string, string[]> = {
  "post /auth/signup": [
    "EMAIL_TAKEN",
    "VALIDATION_FAILED",
    "PAYLOAD_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "CSRF_REJECTED",
  ],
  "post /auth/password": [
    "AUTH_INVALID_CREDENTIALS",
    "VALIDATION_FAILED",
    "UNSUPPORTED_MEDIA_TYPE",
    "PAYLOAD_TOO_LARGE",
    "CSRF_REJECTED",
  ],
  "post /auth/link": ["VALIDATION_FAILED", "CSRF_REJECTED"],
  "get /auth/link/callback": ["AUTH_LINK_INVALID"],
  "post /auth/{strategy}/mfa": [
    "MFA_OTP_INVALID",
    "MFA_CHALLENGE_INVALID",
    "MFA_DISABLED",
    "AUTH_STRATEGY_UNKNOWN",
    "VALIDATION_FAILED",
    "UNSUPPORTED_MEDIA_TYPE",
    "PAYLOAD_TOO_LARGE",
    "SERVER_MISCONFIGURED",
    "CSRF_REJECTED",
  ],
  "post /auth/logout": ["CSRF_REJECTED"],
  "get /api/v1/account/mfa": ["UNAUTHENTICATED", "MFA_STEP_UP_REQUIRED", "MFA_DISABLED", "SERVER_MISCONFIGURED"],
  "put /api/v1/account/mfa": [
    "UNAUTHENTICATED",
    "MFA_OTP_INVALID",
    "MFA_SECRET_MISMATCH",
    "MFA_ENROLLMENT_NOT_FOUND",
    "MFA_STEP_UP_REQUIRED",
    "MFA_DISABLED",
    "VALIDATION_FAILED",
    "CSRF_REJECTED",
    "SERVER_MISCONFIGURED",
  ],
  "delete /api/v1/account/mfa": [
    "UNAUTHENTICATED",
    "SUDO_INVALID",
    "MFA_NOT_ENABLED",
    "MFA_DISABLED",
    "MFA_ENROLLMENT_REQUIRED",
    "CSRF_REJECTED",
  ],
  "post /api/v1/account/mfa/recovery-codes": [
    "UNAUTHENTICATED",
    "MFA_OTP_INVALID",
    "MFA_NOT_ENABLED",
    "MFA_DISABLED",
    "MFA_ENROLLMENT_REQUIRED",
    "CSRF_REJECTED",
  ],
  "get /api/v1/account/security": ["UNAUTHENTICATED", "MFA_ENROLLMENT_REQUIRED"],
  "get /api/v1/account/sessions": ["UNAUTHENTICATED", "MFA_ENROLLMENT_REQUIRED"],
  "delete /api/v1/account/sessions/{id}": ["UNAUTHENTICATED", "SESSION_NOT_FOUND", "CSRF_REJECTED"],
};

describe("/openapi.json", () => {
  it("is an OpenAPI 3.1 document", () => {
    expect(doc.openapi).toBe("3.1.0");
  });

  it.each(ROUTES)("lists %s %s", (method, path) => {
    expect(op(method, path).responses).toBeDefined();
  });

  it("lists nothing under /auth or /api besides these routes and the catch-all strategy", () => {
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    const expected = [...ROUTES.map(([m, p]) => `${m} ${p}`), "post /auth/{strategy}"];
    expect(listed.filter((r) => / \/(auth|api)\//.test(r)).sort()).toEqual(
      expected.filter((r) => / \/(auth|api)\//.test(r)).sort(),
    );
  });

  it.each(ROUTES.filter(([, path]) => path !== "/health"))(
    "documents %s %s's errors in the one error shape",
    (method, path) => {
      const errors = Object.entries(op(method, path).responses).filter(([status]) => Number(status) >= 400);
      expect(errors.length).toBeGreaterThan(0);
      for (const [, response] of errors) {
        expect(response.content?.["application/json"]?.schema.$ref).toBe("#/components/schemas/Error");
      }
    },
  );

  it.each(Object.entries(CODES_SEEN))("documents every code %s answers", (route, codes) => {
    const [method = "", path = ""] = route.split(" ");
    expect(codes.filter((code) => !documentedCodes(op(method, path)).includes(code))).toEqual([]);
  });

  it("documents the request bodies Novel sends", () => {
    const schemaOf = (method: string, path: string) =>
      JSON.stringify(op(method, path).requestBody?.content["application/json"]?.schema);
    expect(schemaOf("post", "/auth/password")).toContain("PasswordSignIn");
    expect(schemaOf("post", "/auth/{strategy}/mfa")).toContain("SecondFactor");
    expect(schemaOf("put", "/api/v1/account/mfa")).toContain("ConfirmEnrollment");
    expect(schemaOf("delete", "/api/v1/account/mfa")).toContain("DisableMfa");
    const schemas = doc.components.schemas as Record<string, { properties?: Record<string, unknown> }>;
    expect(Object.keys(schemas.SecondFactor?.properties ?? {})).toEqual(
      expect.arrayContaining(["otp", "recovery_code", "challenge"]),
    );
    expect(Object.keys(schemas.ConfirmEnrollment?.properties ?? {})).toEqual(
      expect.arrayContaining(["token", "secret"]),
    );
    expect(Object.keys(schemas.DisableMfa?.properties ?? {})).toEqual(expect.arrayContaining(["sudo_password"]));
  });

  it("declares bearer and cookie authentication on every account route", () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearerAuth", "sessionCookie"]);
    for (const [method, path] of ROUTES.filter(([, p]) => p.startsWith("/api/"))) {
      expect(op(method, path).security, `${method} ${path}`).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    }
  });
});

describe("form bodies in the document", () => {
  it("documents every JSON request body as an HTML form too, with the same schema", () => {
    const withBodies = Object.values(doc.paths).flatMap((item) => Object.values(item).filter((o) => o.requestBody));
    expect(withBodies.length).toBeGreaterThan(5);
    for (const operation of withBodies) {
      const content = operation.requestBody!.content;
      expect(content["application/x-www-form-urlencoded"]).toEqual(content["application/json"]);
    }
  });
});
