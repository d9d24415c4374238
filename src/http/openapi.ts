/**
 * @module http/openapi
 * Shared pieces of the OpenAPI document: the error shape and a helper that documents which
 * error codes a route can answer, grouped by status.
 */
import { z } from "@hono/zod-openapi";
import { ERRORS, type ErrorCode } from "../errors";

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
    }),
  })
  .openapi("Error");

/** Every route that takes a body can answer these (media type, size cap, cross-origin cookie). */
export const BODY_ERRORS: readonly ErrorCode[] = ["UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE", "CSRF_REJECTED"];

/** Every route can answer these; they are added to each route's list. */
const ALWAYS: ErrorCode[] = ["VALIDATION_FAILED", "INTERNAL_ERROR", "TEMPORARILY_UNAVAILABLE"];

export function errorResponses(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...codes, ...ALWAYS])) {
    const status = ERRORS[code][0];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<
    number,
    { description: string; content: { "application/json": { schema: typeof errorSchema } } }
  > = {};
  for (const [status, list] of byStatus) {
    responses[status] = {
      description: `Error: ${list.join(", ")}`,
      content: { "application/json": { schema: errorSchema } },
    };
  }
  return responses;
}

/**
 * A request body sent as JSON, or as an HTML form that `formsAsJson` turns into the same JSON
 * before validation. Declared once, as JSON, so hono/client asks for `json` only; the form media
 * type is added to the published document by `withFormMediaType`.
 */
export function jsonOrForm<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } } as const;
}

const FORM = "application/x-www-form-urlencoded";

/** Adds the form media type beside every JSON request body of a generated OpenAPI document. */
export function withFormMediaType<D extends { paths?: object }>(doc: D): D {
  for (const item of Object.values(doc.paths ?? {}) as Record<string, unknown>[]) {
    for (const operation of Object.values(item)) {
      const content = (operation as { requestBody?: { content?: Record<string, unknown> } }).requestBody?.content;
      if (content?.["application/json"] && !content[FORM]) content[FORM] = content["application/json"];
    }
  }
  return doc;
}

export const bearerSecurity: Record<string, string[]>[] = [{ bearerAuth: [] }, { sessionCookie: [] }];
