/**
 * @module config/auth
 * The authentication policy: every number the service enforces, with its unit and its source.
 * Validated once at start; an invalid policy throws before the Worker serves a request.
 */
import { z } from "zod";

const seconds = z.number().int().positive();
const count = z.number().int().positive();

export const authPolicySchema = z
  .object({
    /** `true`: MFA offered; `false`: MFA endpoints answer 404 MFA_DISABLED; `'required'`: every account must enroll. */
    mfa: z.union([z.boolean(), z.literal("required")]),
    /** Shown in authenticator apps; `:` is refused because the Key URI label uses it as separator. */
    issuer: z
      .string()
      .min(1)
      .max(64)
      .refine((s) => !s.includes(":"), "issuer must not contain ':' (Key URI Format)"),
    totp: z.object({
      algorithm: z.enum(["SHA1", "SHA256", "SHA512"]),
      /** RFC 4226 §5.3: 6 to 8 digits. */
      digits: z.number().int().min(6).max(8),
      periodSeconds: seconds.max(300),
      /** Steps accepted either side of now; RFC 6238 §5.2 recommends at most one. */
      window: z.number().int().min(0).max(2),
      /** RFC 4226 §4 R6: at least 128 bits, 160 recommended. */
      secretBytes: z.number().int().min(16).max(64),
    }),
    ttl: z.object({
      challengeSeconds: seconds,
      pendingEnrollmentSeconds: seconds,
      signInLinkSeconds: seconds,
      aal1AbsoluteSeconds: seconds,
      aal2AbsoluteSeconds: seconds,
      aal2IdleSeconds: seconds,
      /** Writes to sessions.last_seen_at at most this often, so reads stay reads. */
      sessionTouchSeconds: seconds,
      /** How recent the sign-in must be to add a first authenticator (NIST SP 800-63B §6.1.2.1). */
      enrollmentReauthenticationSeconds: seconds,
    }),
    limits: z.object({
      challengeMaxAttempts: count,
      secondFactorFailuresBeforeLock: count,
      secondFactorFirstLockSeconds: seconds,
      secondFactorMaxLockSeconds: seconds,
      /** NIST SP 800-63B §5.2.2: never more than 100 consecutive failures. */
      secondFactorMaxConsecutiveFailures: count.max(100),
      firstFactorFailures: count,
      firstFactorWindowSeconds: seconds,
      ipRequests: count,
      ipWindowSeconds: seconds,
    }),
    password: z.object({
      minLength: z.number().int().min(8),
      maxLength: z.number().int().max(1024),
      scrypt: z.object({ logN: z.number().int().min(14).max(20), r: count, p: count }),
    }),
    recoveryCodes: z.object({ count: count.max(20), groups: count, groupLength: count }),
    /** Request bodies above this are refused with 413 before parsing. */
    maxBodyBytes: count,
  })
  .superRefine((p, ctx) => {
    if (p.limits.secondFactorFailuresBeforeLock > p.limits.secondFactorMaxConsecutiveFailures) {
      ctx.addIssue({ code: "custom", message: "lock threshold exceeds the consecutive-failure ceiling" });
    }
    if (p.ttl.aal2IdleSeconds > p.ttl.aal2AbsoluteSeconds) {
      ctx.addIssue({ code: "custom", message: "aal2 idle timeout exceeds its absolute lifetime" });
    }
    // Each recovery code needs at least 80 bits (NIST SP 800-63B §5.1.2.1 asks ≥ 20; we store a keyed hash).
    const bits = p.recoveryCodes.groups * p.recoveryCodes.groupLength * 5;
    if (bits < 80) ctx.addIssue({ code: "custom", message: `recovery codes carry ${bits} bits; at least 80 required` });
  });

export type AuthPolicy = z.infer<typeof authPolicySchema>;

const policy: AuthPolicy = {
  mfa: true,
  issuer: "edge-mfa",
  totp: {
    algorithm: "SHA1", // Key URI Format: many apps ignore anything else
    digits: 6,
    periodSeconds: 30, // RFC 6238 §5.2 recommended time step
    window: 1, // RFC 6238 §5.2: at most one step of network delay
    secretBytes: 20, // 160 bits, RFC 4226 §4 R6
  },
  ttl: {
    challengeSeconds: 5 * 60, // a sign-in challenge lives 5 min, single use
    pendingEnrollmentSeconds: 10 * 60, // an unconfirmed authenticator lives 10 min
    signInLinkSeconds: 15 * 60, // magic link, OWASP: short-lived, single use
    aal1AbsoluteSeconds: 30 * 24 * 3600, // NIST SP 800-63B §4.1.3: AAL1 reauthentication every 30 days
    aal2AbsoluteSeconds: 12 * 3600, // NIST SP 800-63B §4.2.3: every 12 h
    aal2IdleSeconds: 30 * 60, // NIST SP 800-63B §4.2.3: after 30 min of inactivity
    sessionTouchSeconds: 60,
    // Binding a new authenticator needs a fresh first factor: a stolen old session cannot add one.
    enrollmentReauthenticationSeconds: 15 * 60,
  },
  limits: {
    challengeMaxAttempts: 5, // wrong codes before a challenge is void (Better Auth: 5)
    secondFactorFailuresBeforeLock: 10, // consecutive failures per account before a lock
    secondFactorFirstLockSeconds: 15 * 60, // first lock; doubles each further lock
    secondFactorMaxLockSeconds: 24 * 3600, // the doubling stops at 24 h
    secondFactorMaxConsecutiveFailures: 100, // NIST SP 800-63B §5.2.2
    firstFactorFailures: 10, // wrong passwords per account (or unknown email) ...
    firstFactorWindowSeconds: 15 * 60, // ... within 15 min
    ipRequests: 30, // requests per client IP to /auth/* and enrollment confirmation ...
    ipWindowSeconds: 60, // ... per minute (token bucket)
  },
  password: {
    minLength: 8, // NIST SP 800-63B §5.1.1.2
    maxLength: 256,
    // OWASP Password Storage: scrypt N=2^17,r=8,p=1 or equivalents; N=2^14,r=8,p=5 costs the same
    // CPU with 16 MiB of memory, which fits the Workers 128 MB isolate.
    scrypt: { logN: 14, r: 8, p: 5 },
  },
  recoveryCodes: { count: 10, groups: 4, groupLength: 4 }, // 16 chars × 5 bits = 80 bits each
  maxBodyBytes: 16 * 1024,
};

/** Parses a policy and throws one readable error listing every problem. */
export function parseAuthPolicy(input: unknown): AuthPolicy {
  const result = authPolicySchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(policy)"}: ${i.message}`);
    throw new Error(`Invalid config/auth.ts: ${problems.join("; ")}`);
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export const authConfig: AuthPolicy = parseAuthPolicy(policy);
export default authConfig;
