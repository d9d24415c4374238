/**
 * @module env
 * The Hono environment: bindings from wrangler.toml (generated types) plus the secrets, and the
 * per-request variables set by middleware.
 */
import type { Services } from "./services";

declare global {
  namespace Cloudflare {
    interface Env {
      /** Versioned AES-256-GCM keys, `k2:BASE64,k1:BASE64`; the first encrypts, all decrypt. */
      MFA_ENCRYPTION_KEYS?: string;
      /** Operator token for /admin/* (at least 32 characters); unset, those routes answer 404. */
      ADMIN_TOKEN?: string;
    }
  }
}

export type Bindings = Cloudflare.Env;

/** The authenticated session of a request, set by the session middleware. */
export interface SessionContext {
  sessionId: string;
  accountId: string;
  aal: 1 | 2;
  /** When the first factor behind this session was proven (the session's creation). */
  authenticatedAt: number;
  /** How the request proved itself: a cookie is subject to CSRF checks, a bearer token is not. */
  via: "cookie" | "bearer";
}

export interface Variables {
  requestId: string;
  services: Services;
  session: SessionContext;
  /** Set when the request came as an HTML form: answer with 303 redirects. */
  formPost?: boolean;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
