/**
 * @module errors
 * Every error code the API can answer, with its HTTP status and default message, and the one
 * JSON shape `{"error":{"code","message"}}`. Domain code throws `AppError`; app.onError shapes it.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ERRORS = {
  VALIDATION_FAILED: [400, "The request is malformed or a field is invalid."],
  UNAUTHENTICATED: [401, "Sign in first."],
  AUTH_INVALID_CREDENTIALS: [401, "Email or password is wrong."],
  AUTH_LINK_INVALID: [401, "This sign-in link is invalid, expired or already used."],
  MFA_OTP_INVALID: [401, "The code is wrong or was already used."],
  MFA_CHALLENGE_INVALID: [401, "The sign-in attempt expired or is invalid; sign in again."],
  SUDO_INVALID: [401, "The password or code given to confirm this change is wrong."],
  CSRF_REJECTED: [403, "Cross-origin request refused."],
  MFA_STEP_UP_REQUIRED: [403, "Confirm with your authenticator first (sign in with a code)."],
  MFA_ENROLLMENT_REQUIRED: [403, "Set up an authenticator before continuing."],
  REAUTHENTICATION_REQUIRED: [403, "Sign in again (within the last 15 minutes) to add an authenticator."],
  NOT_FOUND: [404, "No such route."],
  AUTH_STRATEGY_UNKNOWN: [404, "Unknown sign-in strategy."],
  MFA_DISABLED: [404, "Two-factor authentication is disabled on this server."],
  MFA_ENROLLMENT_NOT_FOUND: [404, "No pending authenticator setup; start again."],
  MFA_NOT_ENABLED: [404, "This account has no authenticator."],
  SESSION_NOT_FOUND: [404, "No such session."],
  EMAIL_TAKEN: [409, "An account with this email already exists."],
  MFA_SECRET_MISMATCH: [409, "The secret does not match the pending setup."],
  PAYLOAD_TOO_LARGE: [413, "The request body is too large."],
  UNSUPPORTED_MEDIA_TYPE: [415, "Send application/json or a form."],
  MFA_LOCKED: [429, "Too many wrong codes; two-factor sign-in is locked for a while."],
  AUTH_RATE_LIMITED: [429, "Too many failed sign-ins for this account; try again later."],
  RATE_LIMITED: [429, "Too many requests; slow down."],
  INTERNAL_ERROR: [500, "Something went wrong."],
  SERVER_MISCONFIGURED: [503, "Two-factor authentication is not configured on this server."],
  TEMPORARILY_UNAVAILABLE: [503, "A storage service is unavailable; nothing was changed. Try again."],
} as const satisfies Record<string, readonly [ContentfulStatusCode, string]>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** A failure the client is told about. `retryAfterSeconds` becomes a Retry-After header. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterSeconds?: number;
  constructor(code: ErrorCode, options: { message?: string; retryAfterSeconds?: number } = {}) {
    super(options.message ?? ERRORS[code][1]);
    this.name = "AppError";
    this.code = code;
    if (options.retryAfterSeconds !== undefined)
      this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
  }
  get status(): ContentfulStatusCode {
    return ERRORS[this.code][0];
  }
}

/** Raised when D1 or a Durable Object fails: the request must fail closed with 503. */
export class StorageUnavailableError extends AppError {
  constructor(override readonly cause: unknown) {
    super("TEMPORARILY_UNAVAILABLE");
    this.name = "StorageUnavailableError";
  }
}

export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  return { error: { code, message: message ?? ERRORS[code][1] } };
}
