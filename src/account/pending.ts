/**
 * @module account/pending
 * Shows a pending enrollment again (after a typo in the code, or a page reload) from the
 * server's encrypted copy, so the page never needs to carry the secret.
 */
import { open, totpSecretAad } from "../crypto/keyring";
import { findAccountById } from "../db/accounts";
import { findPendingEnrollment } from "../db/mfa";
import type { SessionContext } from "../env";
import { buildOtpauthUri, encodeBase32, isOtpAlgorithm, qrSvgDataUrl } from "../otp";
import type { Services } from "../services";

export interface PendingEnrollmentView {
  qr: string;
  secret: string;
  uri: string;
  /** Seconds until the pending enrollment expires. */
  remaining: number;
  expires_at: string;
}

export function enrollmentView(
  s: Services,
  email: string,
  secret: Uint8Array,
  params: { algorithm: string; digits: number; periodSeconds: number; expiresAt: number },
): PendingEnrollmentView {
  const algorithm = isOtpAlgorithm(params.algorithm) ? params.algorithm : "SHA1";
  const uri = buildOtpauthUri({
    issuer: s.policy.issuer,
    account: email,
    secret,
    algorithm,
    digits: params.digits,
    periodSeconds: params.periodSeconds,
  });
  return {
    qr: qrSvgDataUrl(uri),
    secret: encodeBase32(secret),
    uri,
    remaining: Math.max(0, Math.floor((params.expiresAt - s.now) / 1000)),
    expires_at: new Date(params.expiresAt).toISOString(),
  };
}

export async function currentPendingEnrollment(
  s: Services,
  session: SessionContext,
): Promise<PendingEnrollmentView | null> {
  const [pending, account] = await Promise.all([
    findPendingEnrollment(s.db, session.accountId, s.now),
    findAccountById(s.db, session.accountId),
  ]);
  if (!pending || !account) return null;
  const secret = await open(await s.keyring(), pending, totpSecretAad(pending.accountId, pending.id));
  return enrollmentView(s, account.email, secret, pending);
}
