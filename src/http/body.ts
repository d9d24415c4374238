/**
 * @module http/body
 * Browsers without JavaScript post HTML forms; API clients post JSON. `formsAsJson` turns a form
 * into the equivalent JSON request before the routes validate it, so every route declares and
 * validates one schema, and remembers that the client wants 303 redirects instead of JSON.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

export const isFormRequest = (c: Context<AppEnv>): boolean => c.get("formPost") === true;

export function formsAsJson(): MiddlewareHandler<AppEnv> {
  return async function convertFormToJson(c, next) {
    const type = (c.req.header("Content-Type") ?? "").toLowerCase();
    if (!FORM_TYPES.some((t) => type.startsWith(t))) return next();
    const fields = await c.req.parseBody();
    // Uploaded files have no place in any form here: they become an invalid (non-string) field.
    const json = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? v : null]));
    const headers = new Headers(c.req.raw.headers);
    headers.set("Content-Type", "application/json");
    headers.delete("Content-Length");
    c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers, body: JSON.stringify(json) });
    c.set("formPost", true);
    return next();
  };
}
