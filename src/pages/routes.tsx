/**
 * @module pages/routes
 * The HTML pages and their form handlers. Sign-in forms post straight to the /auth API; the
 * security forms post here and call the same service functions the JSON API calls.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import { confirmPendingEnrollment, disableMfa, regenerateRecoveryCodes, startEnrollment } from "../account/mfa";
import { currentPendingEnrollment } from "../account/pending";
import { securityOverview } from "../account/security";
import { listOutbox } from "../db/outbox";
import { revokeSession } from "../db/sessions";
import type { AppEnv, SessionContext } from "../env";
import { AppError } from "../errors";
import { isDevelopment } from "../http/services";
import { optionalSession } from "../http/session";
import { normalizeCode } from "../otp";
import { AccountPage, RecoveryCodesPage, SecurityPage } from "./account";
import { SCRIPT, STYLESHEET } from "./assets";
import { Layout } from "./layout";
import { messageFor } from "./messages";
import { HomePage, LinkSentPage, LoginPage, MfaPage, SignUpPage } from "./public";

const errorFrom = (c: Context<AppEnv>, form?: "recovery") =>
  messageFor(c.req.query("error"), Number(c.req.query("retry_after")), form);

async function pageSession(c: Context<AppEnv>): Promise<SessionContext | undefined> {
  const session = await optionalSession(c);
  if (session && session.via === "cookie") return session;
  return undefined;
}

/** Runs a security form action; client errors go back to the security page with ?error=CODE. */
async function securityAction(c: Context<AppEnv>, work: (session: SessionContext) => Promise<Response>) {
  const session = await pageSession(c);
  if (!session) return c.redirect("/login", 303);
  try {
    return await work(session);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const retry = err.retryAfterSeconds ? `&retry_after=${err.retryAfterSeconds}` : "";
    return c.redirect(`/account/security?error=${err.code}${retry}`, 303);
  }
}

async function formField(c: Context<AppEnv>, name: string): Promise<string> {
  const body = await c.req.parseBody();
  const value = body[name];
  return typeof value === "string" ? value : "";
}

function codeField(c: Context<AppEnv>, value: string): string {
  const code = normalizeCode(value, c.get("services").policy.totp.digits);
  if (!code) throw new AppError("MFA_OTP_INVALID");
  return code;
}

export const pagesRouter = new Hono<AppEnv>()
  .get("/assets/app.css", (c) =>
    c.body(STYLESHEET, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }),
  )
  .get("/assets/app.js", (c) =>
    c.body(SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600" }),
  )
  .get("/", async (c) => c.html(<HomePage signedIn={(await pageSession(c)) !== undefined} />))
  .get("/signup", (c) => c.html(<SignUpPage error={errorFrom(c)} />))
  .get("/login", (c) => c.html(<LoginPage error={errorFrom(c)} />))
  .get("/login/link", (c) => c.html(<LinkSentPage development={isDevelopment(c.env)} />))
  .get("/login/mfa", (c) => {
    const strategy = c.req.query("strategy") ?? "password";
    const mode = c.req.query("mode") === "recovery" ? "recovery" : "otp";
    const digits = c.get("services").policy.totp.digits;
    const error = errorFrom(c, mode === "recovery" ? "recovery" : undefined);
    return c.html(<MfaPage strategy={strategy.slice(0, 64)} mode={mode} digits={digits} error={error} />);
  })
  .get("/dev/outbox", async (c) => {
    if (!isDevelopment(c.env)) throw new AppError("NOT_FOUND");
    const mails = await listOutbox(c.get("services").db);
    return c.html(
      <Layout title="Development outbox">
        <p class="lead">Mail this development server would have sent, newest first.</p>
        {mails.map((mail) => (
          <div class="card">
            <p>
              <strong>{mail.subject}</strong> → {mail.recipient}
            </p>
            {mail.body
              .split(/(https?:\/\/\S+)/)
              .map((part) => (/^https?:\/\//.test(part) ? <a href={part}>{part}</a> : part))}
          </div>
        ))}
      </Layout>,
    );
  })
  .get("/account", async (c) => {
    const session = await pageSession(c);
    if (!session) return c.redirect("/login", 303);
    const s = c.get("services");
    if (s.policy.mfa === "required" && session.aal < 2) return c.redirect("/account/security", 303);
    const overview = await securityOverview(s, session);
    return c.html(<AccountPage email={overview.profile.email} mfaEnabledAt={overview.mfa} aal={session.aal} />);
  })
  .get("/account/security", async (c) => {
    const session = await pageSession(c);
    if (!session) return c.redirect("/login", 303);
    const s = c.get("services");
    const [overview, pending] = await Promise.all([securityOverview(s, session), currentPendingEnrollment(s, session)]);
    const model = {
      email: overview.profile.email,
      mfaEnabledAt: overview.mfa,
      recoveryCodesRemaining: overview.recovery_codes_remaining,
      hasPassword: overview.profile.password,
      sessions: overview.sessions,
      pending,
      digits: s.policy.totp.digits,
      canManage: s.policy.mfa !== false && (overview.mfa === null || session.aal === 2),
    };
    const notice = c.req.query("notice") === "mfa-off" ? "Two-factor authentication is off." : undefined;
    return c.html(<SecurityPage model={model} error={errorFrom(c)} notice={notice} />);
  })
  .post("/account/security/setup", (c) =>
    securityAction(c, async (session) => {
      await startEnrollment(c.get("services"), session);
      return c.redirect("/account/security", 303);
    }),
  )
  .post("/account/security/confirm", (c) =>
    securityAction(c, async (session) => {
      const token = codeField(c, await formField(c, "token"));
      const { recoveryCodes } = await confirmPendingEnrollment(c.get("services"), session, { token });
      return c.html(<RecoveryCodesPage codes={recoveryCodes} fresh="enabled" />);
    }),
  )
  .post("/account/security/recovery-codes", (c) =>
    securityAction(c, async (session) => {
      const otp = codeField(c, await formField(c, "otp"));
      const { recoveryCodes } = await regenerateRecoveryCodes(c.get("services"), session, otp);
      return c.html(<RecoveryCodesPage codes={recoveryCodes} fresh="regenerated" />);
    }),
  )
  .post("/account/security/disable", (c) =>
    securityAction(c, async (session) => {
      const body = await c.req.parseBody();
      const field = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : undefined);
      const otp = field("otp");
      await disableMfa(c.get("services"), session, {
        sudoPassword: field("sudo_password"),
        otp: otp === undefined ? undefined : (normalizeCode(otp, c.get("services").policy.totp.digits) ?? undefined),
      });
      return c.redirect("/account/security?notice=mfa-off", 303);
    }),
  )
  .post("/account/security/sessions/:id/revoke", (c) =>
    securityAction(c, async (session) => {
      const s = c.get("services");
      const revoked = await revokeSession(s.db, session.accountId, c.req.param("id").slice(0, 64), s.now);
      if (!revoked) throw new AppError("SESSION_NOT_FOUND");
      return c.redirect("/account/security", 303);
    }),
  );
