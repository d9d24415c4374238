/**
 * @module http/respond
 * Answers for API clients (JSON) and for plain HTML forms (303 See Other), from one handler.
 */

import type { Context } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { isFormRequest } from "./body";

/** Runs a handler; for form posts, a client error becomes a 303 back to the page with `error=CODE`. */
export async function withFormErrors(
  c: Context<AppEnv>,
  errorLocation: (err: AppError) => string,
  work: () => Promise<Response>,
): Promise<Response> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof AppError) || !isFormRequest(c)) throw err;
    const location = new URL(errorLocation(err), "http://x");
    location.searchParams.set("error", err.code);
    if (err.retryAfterSeconds !== undefined) location.searchParams.set("retry_after", String(err.retryAfterSeconds));
    return c.redirect(`${location.pathname}${location.search}`, 303);
  }
}
