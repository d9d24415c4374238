/**
 * @module http/services
 * Builds the per-request Services at the edge: the only place that reads the clock, the client
 * address and the bindings.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AuthPolicy } from "../../config/auth";
import { type Mailer, outboxMailer, unconfiguredMailer } from "../auth/mailer";
import { keyringFrom } from "../crypto/keyring";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import { limiterClient } from "../limits/client";
import type { Services } from "../services";

export interface ServiceOptions {
  policy: AuthPolicy;
  clock: () => number;
  /** The production mailer; development always uses the outbox. */
  mailer?: (env: Cloudflare.Env) => Mailer;
  /** Bound on each Limiter call; defaults to LIMITER_TIMEOUT_MS. */
  limiterTimeoutMs?: number;
}

const IP_SHAPE = /^[0-9A-Fa-f:.]{2,45}$/;

/** CF-Connecting-IP, set by Cloudflare's edge; X-Forwarded-For only when explicitly trusted. */
export function clientIp(c: Context<AppEnv>): string {
  let ip = c.req.header("CF-Connecting-IP")?.trim();
  if (!ip && c.env.TRUST_X_FORWARDED_FOR === "true") ip = c.req.header("X-Forwarded-For")?.split(",")[0]?.trim();
  if (!ip) return "unknown";
  // A malformed header must not mint a fresh limiter key per request.
  return IP_SHAPE.test(ip) ? ip.toLowerCase() : "invalid";
}

export const isDevelopment = (env: Cloudflare.Env) => env.ENVIRONMENT === "development";

export function services(options: ServiceOptions): MiddlewareHandler<AppEnv> {
  return async function buildServices(c, next) {
    const now = options.clock();
    const db = createDb(c.env.DB);
    const userAgent = c.req.header("User-Agent")?.slice(0, 512) ?? null;
    const s: Services = {
      db,
      limiter: limiterClient(c.env.LIMITER, { timeoutMs: options.limiterTimeoutMs }),
      policy: options.policy,
      now,
      source: { ip: clientIp(c), userAgent },
      origin: new URL(c.req.url).origin,
      mailer: isDevelopment(c.env) ? outboxMailer(db, now) : (options.mailer?.(c.env) ?? unconfiguredMailer),
      keyring: () => keyringFrom(c.env.MFA_ENCRYPTION_KEYS),
    };
    c.set("services", s);
    await next();
  };
}
