/**
 * @module account/mfa
 * Managing an account's authenticator: a server-side pending enrollment (the client's copy of the
 * secret is never the source), confirmation that burns its code and issues recovery codes,
 * regeneration of recovery codes, and turning MFA off with the password (or a code).
 */

import { firstFactorKey } from "../auth/email";
import { newRecoveryCodes } from "../auth/recovery-codes";
import { checkTotp, enforceVerdict, verifyStepUp } from "../auth/second-factor";
import { absoluteLifetimeMs } from "../auth/sessions";
import { open, seal, totpSecretAad } from "../crypto/keyring";
import { verifyPassword } from "../crypto/password";
import { randomId } from "../crypto/random";
import { findAccountById } from "../db/accounts";
import {
  confirmEnrollment,
  findCredential,
  findPendingEnrollment,
  removeSecondFactor,
  replacePendingEnrollment,
  replaceRecoveryCodes,
} from "../db/mfa";
import type { SessionContext } from "../env";
import { AppError } from "../errors";
import { constantTimeEqual, decodeBase32, generateSecret } from "../otp";
import type { Services } from "../services";
import { enrollmentView, type PendingEnrollmentView } from "./pending";

function assertMfaOffered(s: Services): void {
  if (s.policy.mfa === false) throw new AppError("MFA_DISABLED");
}

/**
 * Who may bind an authenticator: replacing one needs an aal-2 session; adding the first needs a
 * recent sign-in, so a stolen long-lived session cannot lock the owner out with its own factor.
 */
function assertMayEnroll(s: Services, session: SessionContext, hasCredential: boolean): void {
  if (hasCredential) {
    if (session.aal < 2) throw new AppError("MFA_STEP_UP_REQUIRED");
    return;
  }
  if (s.now - session.authenticatedAt > s.policy.ttl.enrollmentReauthenticationSeconds * 1000) {
    throw new AppError("REAUTHENTICATION_REQUIRED");
  }
}

/** `GET /api/v1/account/mfa`: a new pending secret, replacing any earlier pending one. */
export async function startEnrollment(s: Services, session: SessionContext): Promise<PendingEnrollmentView> {
  assertMfaOffered(s);
  const [account, existing] = await Promise.all([
    findAccountById(s.db, session.accountId),
    findCredential(s.db, session.accountId),
  ]);
  if (!account) throw new AppError("UNAUTHENTICATED");
  assertMayEnroll(s, session, existing !== undefined);
  const keyring = await s.keyring();
  const { algorithm, digits, periodSeconds, secretBytes } = s.policy.totp;
  const secret = generateSecret(secretBytes);
  const id = randomId();
  const sealed = await seal(keyring, secret, totpSecretAad(account.id, id));
  const expiresAt = s.now + s.policy.ttl.pendingEnrollmentSeconds * 1000;
  await replacePendingEnrollment(s.db, {
    id,
    accountId: account.id,
    ciphertext: sealed.ciphertext,
    keyId: sealed.keyId,
    algorithm,
    digits,
    periodSeconds,
    expiresAt,
    createdAt: s.now,
  });
  return enrollmentView(s, account.email, secret, { algorithm, digits, periodSeconds, expiresAt });
}

/** `PUT /api/v1/account/mfa`: confirms the server's pending secret with a current code. */
export async function confirmPendingEnrollment(
  s: Services,
  session: SessionContext,
  input: { token: string; secret?: string },
): Promise<{ recoveryCodes: string[] }> {
  assertMfaOffered(s);
  const [pending, existing] = await Promise.all([
    findPendingEnrollment(s.db, session.accountId, s.now),
    findCredential(s.db, session.accountId),
  ]);
  if (!pending) throw new AppError("MFA_ENROLLMENT_NOT_FOUND");
  assertMayEnroll(s, session, existing !== undefined);
  const keyring = await s.keyring();
  const secret = await open(keyring, pending, totpSecretAad(pending.accountId, pending.id));
  if (input.secret !== undefined) {
    const offered = decodeBase32(input.secret);
    if (!offered || !constantTimeEqual(offered, secret)) throw new AppError("MFA_SECRET_MISMATCH");
  }
  const result = await checkTotp(s, secret, { ...pending, lastUsedStep: -1 }, input.token);
  const acceptance = await enforceVerdict(
    s,
    session.accountId,
    await s.limiter.secondFactor(session.accountId, { now: s.now, result }),
    { credentialId: pending.id },
  );

  const codes = await newRecoveryCodes(keyring, s.policy.recoveryCodes.count, s.policy.recoveryCodes);
  const confirmed = await acceptance.store(() =>
    confirmEnrollment(s.db, {
      enrollmentId: pending.id,
      accountId: session.accountId,
      sessionId: session.sessionId,
      step: result.step!,
      sessionExpiresAt: s.now + absoluteLifetimeMs(s, 2),
      recoveryCodes: codes.hashed,
      now: s.now,
      source: s.source,
    }),
  );
  // Another confirmation of the same enrollment won the race.
  if (!confirmed) throw new AppError("MFA_ENROLLMENT_NOT_FOUND");
  return { recoveryCodes: codes.plain };
}

/** `POST /api/v1/account/mfa/recovery-codes`: new codes after a current TOTP; all old ones die. */
export async function regenerateRecoveryCodes(
  s: Services,
  session: SessionContext,
  otp: string,
): Promise<{ recoveryCodes: string[] }> {
  assertMfaOffered(s);
  const credential = await findCredential(s.db, session.accountId);
  if (!credential) throw new AppError("MFA_NOT_ENABLED");
  const keyring = await s.keyring();
  const { step, acceptance } = await verifyStepUp(s, keyring, credential, otp);
  const codes = await newRecoveryCodes(keyring, s.policy.recoveryCodes.count, s.policy.recoveryCodes);
  await acceptance.store(() =>
    replaceRecoveryCodes(s.db, session.accountId, codes.hashed, s.now, s.source, { credentialId: credential.id, step }),
  );
  return { recoveryCodes: codes.plain };
}

/** `DELETE /api/v1/account/mfa`: needs the password, or a current code for password-less accounts. */
export async function disableMfa(
  s: Services,
  session: SessionContext,
  input: { sudoPassword?: string; otp?: string },
): Promise<void> {
  assertMfaOffered(s);
  const [account, credential] = await Promise.all([
    findAccountById(s.db, session.accountId),
    findCredential(s.db, session.accountId),
  ]);
  if (!account) throw new AppError("UNAUTHENTICATED");
  if (!credential) throw new AppError("MFA_NOT_ENABLED");
  const remove = () => removeSecondFactor(s.db, session.accountId, s.now, s.source);
  if (account.passwordHash) {
    const valid = await verifyPassword(account.passwordHash, input.sudoPassword ?? "", s.policy.password.scrypt);
    // Sudo passwords count toward the same first-factor limit as sign-in.
    const verdict = await s.limiter.firstFactor(await firstFactorKey(account.email), s.now, valid);
    if (!verdict.ok) throw new AppError("AUTH_RATE_LIMITED", { retryAfterSeconds: verdict.retryAfterSeconds });
    if (!valid) throw new AppError("SUDO_INVALID");
    await remove();
    return;
  }
  if (!input.otp) throw new AppError("SUDO_INVALID");
  const { acceptance } = await verifyStepUp(s, await s.keyring(), credential, input.otp).catch((err) => {
    throw err instanceof AppError && err.code === "MFA_OTP_INVALID" ? new AppError("SUDO_INVALID") : err;
  });
  await acceptance.store(remove);
}
