/**
 * @module http/csrf
 * Refuses unsafe requests that a browser sent from another origin while carrying our cookies.
 * Bearer-token requests are exempt (a cross-site page cannot attach them); requests with neither
 * Origin nor Sec-Fetch-Site come from non-browser clients.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function csrfGuard(): MiddlewareHandler<AppEnv> {
  return async function rejectCrossOrigin(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const authorization = c.req.header("Authorization") ?? "";
    const cookies = c.req.header("Cookie") ?? "";
    if (authorization.startsWith("Bearer ") || cookies === "") return next();
    const fetchSite = c.req.header("Sec-Fetch-Site");
    if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none")
      throw new AppError("CSRF_REJECTED");
    const origin = c.req.header("Origin");
    if (origin !== undefined && origin !== new URL(c.req.url).origin) throw new AppError("CSRF_REJECTED");
    return next();
  };
}
