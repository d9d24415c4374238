/**
 * @module http/problem
 * Turns anything thrown into the one JSON error shape. Known errors keep their code; framework
 * errors (malformed JSON, 413, 415) are mapped; anything else is logged with the request id and
 * answered with a generic 500 that reveals nothing.
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env";
import { AppError, ERRORS, type ErrorCode, errorBody, StorageUnavailableError } from "../errors";

export function errorResponse(
  c: Context,
  code: ErrorCode,
  options: { message?: string; retryAfterSeconds?: number } = {},
) {
  if (options.retryAfterSeconds !== undefined)
    c.header("Retry-After", String(Math.max(1, Math.ceil(options.retryAfterSeconds))));
  return c.json(errorBody(code, options.message), ERRORS[code][0]);
}

function codeForHttpException(err: HTTPException): ErrorCode {
  switch (err.status) {
    case 413:
      return "PAYLOAD_TOO_LARGE";
    case 415:
      return "UNSUPPORTED_MEDIA_TYPE";
    case 404:
      return "NOT_FOUND";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "CSRF_REJECTED";
    default:
      return err.status < 500 ? "VALIDATION_FAILED" : "INTERNAL_ERROR";
  }
}

/**
 * drizzle wraps whatever the D1 binding throws in its own "Failed query: …" error (which names
 * the SQL and its parameters); the guard's StorageUnavailableError is then in the cause chain.
 */
function storageFailure(err: unknown): StorageUnavailableError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof StorageUnavailableError) return e;
  }
  return undefined;
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = c.get("requestId") ?? "-";
  const storage = storageFailure(err);
  if (storage) {
    // Only the binding's own error is logged: never drizzle's wrapper with the bound parameters.
    console.error(`[${requestId}] storage unavailable: ${describe(storage.cause)}`);
    return errorResponse(c, storage.code);
  }
  if (err instanceof AppError) {
    return errorResponse(c, err.code, { message: err.message, retryAfterSeconds: err.retryAfterSeconds });
  }
  if (err instanceof HTTPException) {
    const code = codeForHttpException(err);
    if (code === "INTERNAL_ERROR") console.error(`[${requestId}] http exception ${err.status}`);
    return errorResponse(c, code);
  }
  console.error(`[${requestId}] unhandled error: ${describe(err)}`, (err as Error).stack);
  return errorResponse(c, "INTERNAL_ERROR", { message: `Something went wrong (request ${requestId}).` });
};

export const notFound: NotFoundHandler<AppEnv> = (c) => errorResponse(c, "NOT_FOUND");

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err;
}
