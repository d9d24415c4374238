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

/** A request body accepted as JSON or as an HTML form. */
export function jsonOrForm<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: false,
    description,
    content: {
      "application/json": { schema },
      "application/x-www-form-urlencoded": { schema },
    },
  } as const;
}

export const bearerSecurity: Record<string, string[]>[] = [{ bearerAuth: [] }, { sessionCookie: [] }];
