/**
 * @module http/body
 * Requests may come as JSON (API clients) or as a form (browsers without JavaScript). A form
 * post is answered with 303 redirects instead of JSON.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env";

export function isFormRequest(c: Context<AppEnv>): boolean {
  const type = c.req.header("Content-Type") ?? "";
  return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data");
}

/** The validated body, from whichever media type the client used. */
export function validBody<T>(c: Context<AppEnv>, fromJson: T, fromForm: T): T {
  return isFormRequest(c) ? fromForm : fromJson;
}
