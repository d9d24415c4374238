/**
 * @module admin/routes
 * Operator actions, behind the `ADMIN_TOKEN` secret (unset: the routes do not exist, 404).
 * Today one: lifting a second-factor lock — including the NIST 100-failure ceiling, which
 * nothing else lifts — after the person was verified out of band. Audited as an account event.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { constantTimeEqualText, sha256Hex } from "../crypto/hash";
import { findAccountById } from "../db/accounts";
import { insertEventStatement } from "../db/events";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { errorResponses } from "../http/openapi";

const requireOperator: MiddlewareHandler<AppEnv> = async function requireOperator(c, next) {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected || expected.length < 32) throw new AppError("NOT_FOUND");
  const offered = /^Bearer (\S{1,256})$/.exec(c.req.header("Authorization") ?? "")?.[1] ?? "";
  // Hash both sides so the comparison is constant-time whatever the lengths.
  if (!constantTimeEqualText(await sha256Hex(offered), await sha256Hex(expected)))
    throw new AppError("UNAUTHENTICATED");
  await next();
};

export const adminRouter = new OpenAPIHono<AppEnv>().openapi(
  createRoute({
    method: "post",
    path: "/admin/accounts/{id}/second-factor/reset",
    tags: ["admin"],
    summary: "Lift a second-factor lock (operator; needs the ADMIN_TOKEN secret)",
    security: [{ bearerAuth: [] }],
    middleware: [requireOperator] as const,
    request: { params: z.object({ id: z.string().min(1).max(64) }) },
    responses: {
      200: {
        description: "Reset; `was_locked` says whether anything was locked",
        content: { "application/json": { schema: z.object({ was_locked: z.boolean() }) } },
      },
      ...errorResponses("NOT_FOUND", "UNAUTHENTICATED"),
    },
  }),
  async (c) => {
    const s = c.get("services");
    const account = await findAccountById(s.db, c.req.valid("param").id);
    if (!account) throw new AppError("NOT_FOUND");
    const wasLocked = await s.limiter.resetSecondFactor(account.id);
    await insertEventStatement(s.db, account.id, "mfa_reset_by_operator", s.source, s.now);
    console.warn(`admin: second factor of account ${account.id} reset by an operator (was locked: ${wasLocked})`);
    return c.json({ was_locked: wasLocked }, 200);
  },
);
