/**
 * @module pages/messages
 * What a person reads for each error code the pages can meet.
 */
import type { ErrorCode } from "../errors";

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  AUTH_INVALID_CREDENTIALS: "That email and password do not match an account.",
  AUTH_RATE_LIMITED: "Too many failed sign-ins for this account. Please wait before trying again.",
  AUTH_LINK_INVALID: "That sign-in link is invalid, expired or was already used. Ask for a new one.",
  RATE_LIMITED: "Too many requests from your network. Please wait a moment.",
  MFA_OTP_INVALID: "That code is not right (or was already used). Check your authenticator and try the current code.",
  MFA_CHALLENGE_INVALID: "Your sign-in attempt expired. Please sign in again.",
  MFA_LOCKED: "Too many wrong codes. Two-factor sign-in is locked for now.",
  MFA_ENROLLMENT_NOT_FOUND: "The setup expired. Start the authenticator setup again.",
  MFA_SECRET_MISMATCH: "The setup changed in another tab. Start again.",
  MFA_STEP_UP_REQUIRED: "Sign in with your current authenticator first.",
  REAUTHENTICATION_REQUIRED: "For your safety, sign in again before adding an authenticator.",
  MFA_ENROLLMENT_REQUIRED: "This service requires an authenticator. Set one up to continue.",
  SUDO_INVALID: "That password is not right.",
  EMAIL_TAKEN: "An account with this email already exists. Sign in instead.",
  VALIDATION_FAILED: "Please check the form: a field is missing or malformed.",
  CSRF_REJECTED: "The form was sent from another site and was refused.",
  TEMPORARILY_UNAVAILABLE: "A storage service is unavailable right now. Nothing was changed; please try again.",
  SERVER_MISCONFIGURED: "Two-factor authentication is not configured on this server.",
  MFA_DISABLED: "Two-factor authentication is turned off on this server.",
};

/** Where the recovery-code form says something else than the authenticator form. */
const RECOVERY_MESSAGES: Partial<Record<ErrorCode, string>> = {
  MFA_OTP_INVALID: "That recovery code is not right or was already used: each code works once.",
};

/**
 * A readable message for an error code from the query string; unknown codes get a generic one.
 * `form: "recovery"` words it for the recovery-code form.
 */
export function messageFor(
  code: string | undefined,
  retryAfterSeconds?: number,
  form?: "recovery",
): string | undefined {
  if (!code) return undefined;
  const base =
    (form === "recovery" ? RECOVERY_MESSAGES[code as ErrorCode] : undefined) ??
    MESSAGES[code as ErrorCode] ??
    "Something went wrong. Please try again.";
  if (retryAfterSeconds && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0) {
    const minutes = Math.ceil(retryAfterSeconds / 60);
    return `${base} Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  return base;
}
