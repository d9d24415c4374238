/**
 * @module http/session
 * Resolves the caller's session from `Authorization: Bearer` or the session cookie. Under
 * `mfa: 'required'`, an aal-1 session may reach only the enrollment endpoints.
 */
import type { Context, MiddlewareHandler } from "hono";
import { readSessionCookie } from "../auth/cookies";
import { authenticateToken } from "../auth/sessions";
import type { AppEnv, SessionContext } from "../env";
import { AppError } from "../errors";

export async function optionalSession(c: Context<AppEnv>): Promise<SessionContext | undefined> {
  const s = c.get("services");
  const authorization = c.req.header("Authorization");
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(authorization);
    return match ? authenticateToken(s, match[1]!, "bearer") : undefined;
  }
  const cookie = readSessionCookie(c);
  return cookie ? authenticateToken(s, cookie, "cookie") : undefined;
}

export interface SessionRequirement {
  /** Reachable by an aal-1 session while `mfa: 'required'` (the enrollment endpoints). */
  duringRequiredEnrollment?: boolean;
}

export function requireSession(requirement: SessionRequirement = {}): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const session = await optionalSession(c);
    if (!session) throw new AppError("UNAUTHENTICATED");
    const policy = c.get("services").policy;
    if (policy.mfa === "required" && session.aal < 2 && !requirement.duringRequiredEnrollment) {
      throw new AppError("MFA_ENROLLMENT_REQUIRED");
    }
    c.set("session", session);
    await next();
  };
}
