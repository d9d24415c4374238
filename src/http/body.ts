/**
 * @module http/body
 * Browsers without JavaScript post HTML forms; API clients post JSON. `formsAsJson` turns a form
 * into the equivalent JSON request before the routes validate it, so every route declares and
 * validates one schema, and remembers that the client wants 303 redirects instead of JSON.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

export const isFormRequest = (c: Context<AppEnv>): boolean => c.get("formPost") === true;

export function formsAsJson(): MiddlewareHandler<AppEnv> {
  return async function convertFormToJson(c, next) {
    // The media type's essence, exactly: `application/x-www-form-urlencodedx` is no form (415).
    const essence = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
    // GET and HEAD carry no body; rebuilding one as JSON would throw (500).
    if (!FORM_TYPES.includes(essence) || c.req.method === "GET" || c.req.method === "HEAD") return next();
    // A broken multipart body (no boundary, truncated parts) is the client's fault: 400, not 500.
    const fields = await c.req.parseBody().catch(() => {
      throw new AppError("VALIDATION_FAILED", { message: "The form body is malformed." });
    });
    // Uploaded files have no place in any form here: they become an invalid (non-string) field.
    const json = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? v : null]));
    const headers = new Headers(c.req.raw.headers);
    headers.set("Content-Type", "application/json");
    headers.delete("Content-Length");
    c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers, body: JSON.stringify(json) });
    // parseBody cached the form; without this, the JSON validator re-reads that cache as JSON (400).
    c.req.bodyCache = {};
    c.set("formPost", true);
    return next();
  };
}
