/**
 * @module auth/routes
 * `/auth/*`: sign-up, one route per first-factor strategy (each ending in the gate), the link
 * callback, the second factor `POST /auth/{strategy}/mfa`, and sign-out.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { revokeSession } from "../db/sessions";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { isFormRequest } from "../http/body";
import { BODY_ERRORS, errorResponses, jsonOrForm } from "../http/openapi";
import { withFormErrors } from "../http/respond";
import { optionalSession } from "../http/session";
import { limitClientIp } from "../limits/ip";
import { normalizeCode } from "../otp";
import {
  clearChallengeCookie,
  clearSessionCookie,
  readChallengeCookie,
  setChallengeCookie,
  setSessionCookie,
} from "./cookies";
import { emailSchema } from "./email";
import { type GateOutcome, passGate } from "./gate";
import { normalizeRecoveryCode } from "./recovery-codes";
import { completeSecondFactor, type OfferedCode } from "./second-factor";
import type { IssuedSession } from "./sessions";
import { assertPasswordLength, signUp } from "./signup";
import type { AnyStrategy } from "./strategies";
import { LINK_CALLBACK_PATH } from "./strategies/link";

const sessionResult = z
  .object({
    redirect_to: z.string(),
    token: z.string().openapi({ description: "Session token for bearer clients (also set as an HttpOnly cookie)." }),
    expires_at: z.string(),
  })
  .openapi("SessionIssued");

const challengeResult = z
  .object({
    mfa_required: z.literal(true),
    redirect_to: z.string(),
    challenge: z.string().openapi({ description: "Send back as `challenge` (or via the cookie) with the code." }),
  })
  .openapi("MfaChallenge");

const gateResult = z.union([sessionResult, challengeResult]);

const signupBody = z.object({ email: emailSchema, password: z.string().max(1024) }).openapi("SignUp");

const mfaBody = z
  .object({
    otp: z.string().max(64).optional(),
    recovery_code: z.string().max(64).optional(),
    challenge: z.string().max(128).optional(),
  })
  .openapi("SecondFactor");

const mfaParams = z.object({ strategy: z.string().max(64).openapi({ example: "password" }) });

const landingFor = (c: Context<AppEnv>) =>
  c.get("services").policy.mfa === "required" ? "/account/security" : "/account";

function answerSession(c: Context<AppEnv>, session: IssuedSession, status: 200 | 201, redirectTo: string) {
  setSessionCookie(c, session.token, session.expiresAt, c.get("services").now);
  if (isFormRequest(c)) return c.redirect(redirectTo, 303);
  return c.json(
    { redirect_to: redirectTo, token: session.token, expires_at: new Date(session.expiresAt).toISOString() },
    status,
  );
}

function answerGate(
  c: Context<AppEnv>,
  outcome: GateOutcome,
  redirect: "json" | "303" = isFormRequest(c) ? "303" : "json",
) {
  if (outcome.kind === "session") {
    const to = landingFor(c);
    if (redirect === "303") {
      setSessionCookie(c, outcome.session.token, outcome.session.expiresAt, c.get("services").now);
      return c.redirect(to, 303);
    }
    return answerSession(c, outcome.session, 200, to);
  }
  const to = `/login/mfa?strategy=${encodeURIComponent(outcome.strategy)}`;
  setChallengeCookie(c, outcome.token, outcome.expiresAt, c.get("services").now);
  if (redirect === "303") return c.redirect(to, 303);
  return c.json({ mfa_required: true as const, redirect_to: to, challenge: outcome.token }, 200);
}

function offeredCode(c: Context<AppEnv>, body: z.infer<typeof mfaBody>): OfferedCode {
  const policy = c.get("services").policy;
  if ((body.otp === undefined) === (body.recovery_code === undefined)) {
    throw new AppError("VALIDATION_FAILED", { message: "Send exactly one of `otp` or `recovery_code`." });
  }
  if (body.otp !== undefined) {
    const otp = normalizeCode(body.otp, policy.totp.digits);
    if (!otp) throw new AppError("VALIDATION_FAILED", { message: `The code must be ${policy.totp.digits} digits.` });
    return { otp };
  }
  const recoveryCode = normalizeRecoveryCode(body.recovery_code!, policy.recoveryCodes);
  if (!recoveryCode) throw new AppError("VALIDATION_FAILED", { message: "That is not a recovery code." });
  return { recoveryCode };
}

export function authRouter(strategies: readonly AnyStrategy[]) {
  const byName = new Map(strategies.map((s) => [s.name, s]));
  const app = new OpenAPIHono<AppEnv>();

  // Strategies first: the catch-all `/auth/{strategy}` below must not shadow them.

  for (const strategy of strategies) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/auth/${strategy.name}`,
        tags: ["auth"],
        summary: strategy.summary,
        request: { body: jsonOrForm(strategy.body) },
        responses: {
          ...(strategy.answers === "gate"
            ? {
                200: {
                  description: "Signed in, or a second factor is needed",
                  content: { "application/json": { schema: gateResult } },
                },
              }
            : {
                202: {
                  description: "Accepted: the proof is on its way if the account exists",
                  content: { "application/json": { schema: z.object({ status: z.literal("sent") }) } },
                },
              }),
          ...errorResponses(...(strategy.errors ?? []), "RATE_LIMITED", ...BODY_ERRORS),
        },
      }),
      (c) =>
        withFormErrors(
          c,
          () => "/login",
          async () => {
            const body = c.req.valid("json");
            const s = c.get("services");
            await limitClientIp(s);
            const result = await strategy.start(s, body);
            if (result.kind === "pending") {
              if (isFormRequest(c)) return c.redirect("/login/link", 303);
              return c.json({ status: "sent" as const }, 202);
            }
            return answerGate(c, await passGate(s, result.accountId, strategy.name));
          },
        ) as never,
    );
  }

  // Chained, so the fixed routes keep their types for hono/client.
  return app
    .openapi(
      createRoute({
        method: "post",
        path: "/auth/signup",
        tags: ["auth"],
        summary: "Create an account (aal-1 session)",
        request: { body: jsonOrForm(signupBody) },
        responses: {
          201: {
            description: "Account and session created",
            content: { "application/json": { schema: sessionResult } },
          },
          ...errorResponses("EMAIL_TAKEN", "RATE_LIMITED", ...BODY_ERRORS),
        },
      }),
      // Handlers answer JSON or a 303 for forms; the route config, not the handler, types the client.
      (c) =>
        withFormErrors(
          c,
          () => "/signup",
          async () => {
            const body = c.req.valid("json");
            const s = c.get("services");
            assertPasswordLength(s.policy, body.password);
            await limitClientIp(s);
            const session = await signUp(s, body);
            return answerSession(c, session, 201, landingFor(c));
          },
        ) as never,
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/auth/logout",
        tags: ["auth"],
        summary: "Sign out: revoke this session",
        responses: { 204: { description: "Signed out" }, ...errorResponses("CSRF_REJECTED") },
      }),
      async (c) => {
        const s = c.get("services");
        const session = await optionalSession(c);
        if (session) await revokeSession(s.db, session.accountId, session.sessionId, s.now);
        clearSessionCookie(c);
        clearChallengeCookie(c);
        if (isFormRequest(c)) return c.redirect("/", 303);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: LINK_CALLBACK_PATH,
        tags: ["auth"],
        summary: "Follow a sign-in link (single use, 15 min); browsers are redirected",
        request: { query: z.object({ token: z.string().max(256) }) },
        responses: {
          200: {
            description: "Session or MFA challenge (when Accept: application/json)",
            content: { "application/json": { schema: gateResult } },
          },
          303: { description: "Browsers: to /account or the MFA page" },
          ...errorResponses("AUTH_LINK_INVALID", "RATE_LIMITED"),
        },
      }),
      async (c) => {
        const s = c.get("services");
        const strategy = [...byName.values()].find((st) => st.callback);
        if (!strategy?.callback) throw new AppError("NOT_FOUND");
        const wantsJson = (c.req.header("Accept") ?? "").includes("application/json");
        try {
          await limitClientIp(s);
          const { accountId, proof } = await strategy.callback(s, c.req.valid("query").token);
          return answerGate(c, await passGate(s, accountId, strategy.name, proof), wantsJson ? "json" : "303");
        } catch (err) {
          if (wantsJson || !(err instanceof AppError) || err.status >= 500) throw err;
          return c.redirect(`/login?error=${err.code}`, 303);
        }
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/auth/{strategy}/mfa",
        tags: ["auth"],
        summary: "Second factor: a TOTP code or a recovery code for the pending challenge",
        request: { params: mfaParams, body: jsonOrForm(mfaBody) },
        responses: {
          200: { description: "aal-2 session issued", content: { "application/json": { schema: sessionResult } } },
          303: { description: "Form posts: to /account, or back to the MFA page with ?error=CODE" },
          ...errorResponses(
            "MFA_OTP_INVALID",
            "MFA_CHALLENGE_INVALID",
            "MFA_LOCKED",
            "MFA_DISABLED",
            "AUTH_STRATEGY_UNKNOWN",
            "RATE_LIMITED",
            "SERVER_MISCONFIGURED",
            ...BODY_ERRORS,
          ),
        },
      }),
      async (c) => {
        const strategy = c.req.valid("param").strategy;
        if (!byName.has(strategy)) throw new AppError("AUTH_STRATEGY_UNKNOWN");
        const s = c.get("services");
        if (s.policy.mfa === false) throw new AppError("MFA_DISABLED");
        const backToMfa = `/login/mfa?strategy=${encodeURIComponent(strategy)}`;
        // A wrong recovery code goes back to the recovery-code form, not the authenticator one.
        let mode = "";
        return withFormErrors(
          c,
          (err) => (err.code === "MFA_CHALLENGE_INVALID" ? "/login" : backToMfa + mode),
          async () => {
            const body = c.req.valid("json");
            if (body.recovery_code !== undefined) mode = "&mode=recovery";
            const code = offeredCode(c, body);
            const challengeToken = body.challenge ?? readChallengeCookie(c);
            if (!challengeToken) throw new AppError("MFA_CHALLENGE_INVALID");
            // The IP check runs while D1 reads the challenge; both settle before any code is judged.
            const session = await completeSecondFactor(s, {
              strategy,
              challengeToken,
              code,
              ipCheck: limitClientIp(s),
            });
            clearChallengeCookie(c);
            return answerSession(c, session, 200, "/account");
          },
        );
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/auth/{strategy}",
        tags: ["auth"],
        summary: "Any other strategy name",
        request: { params: mfaParams },
        responses: errorResponses("AUTH_STRATEGY_UNKNOWN"),
      }),
      () => {
        throw new AppError("AUTH_STRATEGY_UNKNOWN");
      },
    );
}
