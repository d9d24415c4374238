/**
 * @module http/validation
 * The hook every OpenAPI route uses: a zod failure becomes 400 VALIDATION_FAILED naming the
 * fields (never echoing their values, which may be secrets).
 */
import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { errorResponse } from "./problem";

// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every shape
export const validationHook: Hook<any, AppEnv, any, any> = (result, c) => {
  if (result.success) return;
  const fields = [...new Set(result.error.issues.map((i) => i.path.join(".") || "body"))];
  return errorResponse(c, "VALIDATION_FAILED", { message: `Invalid field(s): ${fields.join(", ")}.` });
};
