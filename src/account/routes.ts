/**
 * @module account/routes
 * `/api/v1/account/*`: the authenticator (generate, confirm, revoke), recovery codes, the
 * security overview and sessions. Every route needs a session (cookie or bearer).
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { revokeSession } from "../db/sessions";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { BODY_ERRORS, bearerSecurity, errorResponses, jsonOrForm } from "../http/openapi";
import { requireSession } from "../http/session";
import { limitClientIp } from "../limits/ip";
import { normalizeCode } from "../otp";
import { confirmPendingEnrollment, disableMfa, regenerateRecoveryCodes, startEnrollment } from "./mfa";
import { liveSessions, securityOverview } from "./security";

const sessionView = z
  .object({
    id: z.string(),
    aal: z.number(),
    current: z.boolean(),
    created_at: z.string(),
    last_seen_at: z.string(),
    expires_at: z.string(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
  })
  .openapi("Session");

const pendingEnrollment = z
  .object({
    mfa: z.object({
      qr: z.string().openapi({ description: "SVG QR code of `uri` as a data: URL" }),
      secret: z.string().openapi({ description: "Base32, for manual entry" }),
      uri: z.string().openapi({ description: "otpauth:// Key URI" }),
      remaining: z.number().openapi({ description: "Seconds until this setup expires" }),
      expires_at: z.string(),
    }),
  })
  .openapi("PendingEnrollment");

const recoveryCodesResult = z
  .object({ recovery_codes: z.array(z.string()).openapi({ description: "Shown only this once" }) })
  .openapi("RecoveryCodes");

const confirmBody = z
  .object({ token: z.string().max(64), secret: z.string().max(128).optional() })
  .openapi("ConfirmEnrollment");
const disableBody = z
  .object({ sudo_password: z.string().max(1024).optional(), otp: z.string().max(64).optional() })
  .openapi("DisableMfa");
const otpBody = z.object({ otp: z.string().max(64) }).openapi("StepUp");

const enrollment = requireSession({ duringRequiredEnrollment: true });
const signedIn = requireSession();

function digitsOrFail(code: string, digits: number): string {
  const normalized = normalizeCode(code, digits);
  if (!normalized) throw new AppError("VALIDATION_FAILED", { message: `The code must be ${digits} digits.` });
  return normalized;
}

export const accountRouter = new OpenAPIHono<AppEnv>()
  .openapi(
    createRoute({
      method: "get",
      path: "/api/v1/account/mfa",
      tags: ["account"],
      summary: "Start (or restart) authenticator setup: a pending secret, its URI and QR code",
      security: bearerSecurity,
      middleware: [enrollment] as const,
      responses: {
        200: {
          description: "Pending enrollment (10 min)",
          content: { "application/json": { schema: pendingEnrollment } },
        },
        ...errorResponses(
          "UNAUTHENTICATED",
          "MFA_STEP_UP_REQUIRED",
          "REAUTHENTICATION_REQUIRED",
          "MFA_DISABLED",
          "SERVER_MISCONFIGURED",
        ),
      },
    }),
    async (c) => c.json({ mfa: await startEnrollment(c.get("services"), c.get("session")) }, 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/api/v1/account/mfa",
      tags: ["account"],
      summary: "Confirm the pending authenticator with a current code; returns recovery codes once",
      security: bearerSecurity,
      middleware: [enrollment] as const,
      request: { body: jsonOrForm(confirmBody) },
      responses: {
        200: {
          description: "Enabled; the session is now aal 2",
          content: { "application/json": { schema: recoveryCodesResult } },
        },
        ...errorResponses(
          "UNAUTHENTICATED",
          ...BODY_ERRORS,
          "MFA_ENROLLMENT_NOT_FOUND",
          "MFA_OTP_INVALID",
          "MFA_SECRET_MISMATCH",
          "MFA_STEP_UP_REQUIRED",
          "REAUTHENTICATION_REQUIRED",
          "MFA_LOCKED",
          "MFA_DISABLED",
          "RATE_LIMITED",
          "SERVER_MISCONFIGURED",
        ),
      },
    }),
    async (c) => {
      const s = c.get("services");
      const body = c.req.valid("json");
      const token = digitsOrFail(body.token, s.policy.totp.digits);
      await limitClientIp(s);
      const { recoveryCodes } = await confirmPendingEnrollment(s, c.get("session"), { token, secret: body.secret });
      return c.json({ recovery_codes: recoveryCodes }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/account/mfa",
      tags: ["account"],
      summary: "Turn MFA off: needs the password (or a current code for accounts without one)",
      security: bearerSecurity,
      middleware: [signedIn] as const,
      request: { body: jsonOrForm(disableBody) },
      responses: {
        204: { description: "Authenticator and recovery codes removed" },
        ...errorResponses(
          "UNAUTHENTICATED",
          ...BODY_ERRORS,
          "SUDO_INVALID",
          "MFA_NOT_ENABLED",
          "AUTH_RATE_LIMITED",
          "MFA_LOCKED",
          "MFA_DISABLED",
          "MFA_ENROLLMENT_REQUIRED",
          "SERVER_MISCONFIGURED",
        ),
      },
    }),
    async (c) => {
      const s = c.get("services");
      const body = c.req.valid("json");
      const otp = body.otp === undefined ? undefined : (normalizeCode(body.otp, s.policy.totp.digits) ?? undefined);
      await disableMfa(s, c.get("session"), { sudoPassword: body.sudo_password, otp });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/api/v1/account/mfa/recovery-codes",
      tags: ["account"],
      summary: "Replace all recovery codes (needs a current code)",
      security: bearerSecurity,
      middleware: [signedIn] as const,
      request: { body: jsonOrForm(otpBody) },
      responses: {
        200: {
          description: "New codes; all old ones are void",
          content: { "application/json": { schema: recoveryCodesResult } },
        },
        ...errorResponses(
          "UNAUTHENTICATED",
          ...BODY_ERRORS,
          "MFA_OTP_INVALID",
          "MFA_NOT_ENABLED",
          "MFA_LOCKED",
          "MFA_DISABLED",
          "MFA_ENROLLMENT_REQUIRED",
          "SERVER_MISCONFIGURED",
        ),
      },
    }),
    async (c) => {
      const s = c.get("services");
      const body = c.req.valid("json");
      const otp = digitsOrFail(body.otp, s.policy.totp.digits);
      const { recoveryCodes } = await regenerateRecoveryCodes(s, c.get("session"), otp);
      return c.json({ recovery_codes: recoveryCodes }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/api/v1/account/security",
      tags: ["account"],
      summary: "Profile, MFA status, recovery codes left and live sessions",
      security: bearerSecurity,
      middleware: [signedIn] as const,
      responses: {
        200: {
          description: "Security overview",
          content: {
            "application/json": {
              schema: z
                .object({
                  profile: z.object({
                    id: z.string(),
                    email: z.string(),
                    password: z.boolean(),
                    verified: z.boolean(),
                  }),
                  mfa: z.string().nullable().openapi({ description: "When MFA was enabled (ISO 8601), or null" }),
                  recovery_codes_remaining: z.number(),
                  sessions: z.array(sessionView),
                })
                .openapi("SecurityOverview"),
            },
          },
        },
        ...errorResponses("UNAUTHENTICATED", "MFA_ENROLLMENT_REQUIRED"),
      },
    }),
    async (c) => c.json(await securityOverview(c.get("services"), c.get("session")), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/api/v1/account/sessions",
      tags: ["account"],
      summary: "Live sessions of this account",
      security: bearerSecurity,
      middleware: [signedIn] as const,
      responses: {
        200: {
          description: "Sessions",
          content: { "application/json": { schema: z.object({ sessions: z.array(sessionView) }) } },
        },
        ...errorResponses("UNAUTHENTICATED", "MFA_ENROLLMENT_REQUIRED"),
      },
    }),
    async (c) => c.json({ sessions: await liveSessions(c.get("services"), c.get("session")) }, 200),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/account/sessions/{id}",
      tags: ["account"],
      summary: "Revoke one session",
      security: bearerSecurity,
      middleware: [signedIn] as const,
      request: { params: z.object({ id: z.string().max(64) }) },
      responses: {
        204: { description: "Revoked" },
        ...errorResponses("UNAUTHENTICATED", "CSRF_REJECTED", "SESSION_NOT_FOUND", "MFA_ENROLLMENT_REQUIRED"),
      },
    }),
    async (c) => {
      const s = c.get("services");
      const revoked = await revokeSession(s.db, c.get("session").accountId, c.req.valid("param").id, s.now);
      if (!revoked) throw new AppError("SESSION_NOT_FOUND");
      return c.body(null, 204);
    },
  );
