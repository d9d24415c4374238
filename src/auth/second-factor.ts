/**
 * @module auth/second-factor
 * Checking a TOTP or recovery code. The Worker computes the answer; the account's Limiter then
 * judges it in one RPC — lock, per-challenge cap, replay floor, failure count — and only an
 * accepted answer reaches D1's single-use claims. On the sign-in path that is one D1 read,
 * one Durable Object call and one D1 batch.
 */
import { sha256Hex } from "../crypto/hash";
import { type Keyring, open, seal, totpSecretAad } from "../crypto/keyring";
import { randomId, randomToken } from "../crypto/random";
import { type AccountEventType, insertEventStatement } from "../db/events";
import { type CredentialRow, completeSignIn, loadChallenge } from "../db/mfa";
import { AppError, StorageUnavailableError } from "../errors";
import type { SecondFactorAttempt, SecondFactorResult, SecondFactorVerdict } from "../limits/policy";
import { isOtpAlgorithm, verifyTotp } from "../otp";
import type { Services } from "../services";
import { matchRecoveryCode } from "./recovery-codes";
import { absoluteLifetimeMs, type IssuedSession } from "./sessions";

/** A code as offered by the client, already normalised by the route's schema check. */
export type OfferedCode = { otp: string } | { recoveryCode: string };

export async function openCredentialSecret(
  keyring: Keyring,
  credential: Pick<CredentialRow, "id" | "accountId" | "ciphertext" | "keyId">,
) {
  return open(keyring, credential, totpSecretAad(credential.accountId, credential.id));
}

export async function checkTotp(
  s: Services,
  secret: Uint8Array,
  credential: Pick<CredentialRow, "id" | "algorithm" | "digits" | "periodSeconds" | "lastUsedStep">,
  otp: string,
): Promise<Extract<SecondFactorResult, { kind: "totp" }>> {
  if (!isOtpAlgorithm(credential.algorithm)) throw new AppError("SERVER_MISCONFIGURED");
  const result = await verifyTotp(secret, otp, s.now, {
    algorithm: credential.algorithm,
    digits: credential.digits,
    periodSeconds: credential.periodSeconds,
    window: s.policy.totp.window,
  });
  return {
    kind: "totp",
    credentialId: credential.id,
    step: result.valid ? result.step : null,
    floorStep: credential.lastUsedStep,
  };
}

/** An accepted code: the D1 write it allows goes through `store`. */
export interface Acceptance {
  unlocked: boolean;
  /**
   * Runs the write the acceptance allows. If storage fails, the Limiter takes the acceptance
   * back first — the code stays usable and no failure count is lost — and the 503 goes out.
   */
  store<T>(write: () => Promise<T>): Promise<T>;
}

/**
 * Maps the Limiter's verdict to the client's answer. A lock that this attempt caused is audited
 * (without any code) before the error goes out.
 */
export async function enforceVerdict(
  s: Services,
  accountId: string,
  verdict: SecondFactorVerdict,
  context: { challengeId?: string; credentialId?: string } = {},
): Promise<Acceptance> {
  switch (verdict.outcome) {
    case "accepted":
      return {
        unlocked: verdict.unlocked,
        async store(write) {
          try {
            return await write();
          } catch (err) {
            if (err instanceof StorageUnavailableError) {
              await s.limiter.undoSecondFactor(accountId, verdict.undo, context).catch(() => undefined);
            }
            throw err;
          }
        },
      };
    case "locked":
      throw new AppError("MFA_LOCKED", { retryAfterSeconds: verdict.retryAfterSeconds });
    case "challenge_exhausted":
      throw new AppError("MFA_CHALLENGE_INVALID");
    case "replayed":
      throw new AppError("MFA_OTP_INVALID");
    case "rejected":
      if (verdict.lockedNow) {
        console.warn(`second factor locked for account ${accountId} after repeated wrong codes`);
        await insertEventStatement(s.db, accountId, "mfa_locked", s.source, s.now);
      }
      throw new AppError("MFA_OTP_INVALID");
  }
}

/** Checks a code for an account outside sign-in (step-up): counts toward the same lock. */
export async function verifyStepUp(
  s: Services,
  keyring: Keyring,
  credential: CredentialRow,
  otp: string,
): Promise<{ step: number; acceptance: Acceptance }> {
  const secret = await openCredentialSecret(keyring, credential);
  const result = await checkTotp(s, secret, credential, otp);
  const verdict = await s.limiter.secondFactor(credential.accountId, { now: s.now, result });
  const acceptance = await enforceVerdict(s, credential.accountId, verdict, { credentialId: credential.id });
  return { step: result.step!, acceptance };
}

export interface SignInSecondFactor {
  strategy: string;
  challengeToken: string;
  code: OfferedCode;
  /** The per-IP limit, already asked; awaited with the challenge read, before anything is judged. */
  ipCheck?: Promise<void>;
}

/** `POST /auth/:strategy/mfa`: turns a challenge and a code into an aal-2 session. */
export async function completeSecondFactor(s: Services, input: SignInSecondFactor): Promise<IssuedSession> {
  const challengeHash = await sha256Hex(input.challengeToken);
  const [, loaded] = await Promise.all([
    input.ipCheck,
    loadChallenge(s.db, challengeHash, "recoveryCode" in input.code),
  ]);
  const challenge = loaded?.challenge;
  if (
    !loaded?.credential ||
    !challenge ||
    challenge.consumedAt !== null ||
    challenge.expiresAt <= s.now ||
    challenge.strategy !== input.strategy
  ) {
    throw new AppError("MFA_CHALLENGE_INVALID");
  }
  const credential = loaded.credential;
  const keyring = await s.keyring();
  const secret = await openCredentialSecret(keyring, credential);

  let result: SecondFactorResult;
  let recoveryCodeId: string | undefined;
  if ("otp" in input.code) {
    result = await checkTotp(s, secret, credential, input.code.otp);
  } else {
    recoveryCodeId = (await matchRecoveryCode(keyring, input.code.recoveryCode, loaded.recoveryCodes)) ?? undefined;
    result = { kind: "recovery", matched: recoveryCodeId !== undefined };
  }
  const attempt: SecondFactorAttempt = {
    now: s.now,
    challengeId: challengeHash,
    challengeExpiresAt: challenge.expiresAt,
    result,
  };
  const acceptance = await enforceVerdict(
    s,
    credential.accountId,
    await s.limiter.secondFactor(credential.accountId, attempt),
    { challengeId: challengeHash, credentialId: result.kind === "totp" ? credential.id : undefined },
  );

  const token = randomToken();
  const session = { id: randomId(), token, expiresAt: s.now + absoluteLifetimeMs(s, 2) };
  const events: AccountEventType[] = ["mfa_verified", "signin"];
  if (acceptance.unlocked) events.push("mfa_unlocked");
  if (result.kind === "recovery") events.push("recovery_code_used");
  // A row under an older key is re-encrypted under the current one on its next successful use.
  const reseal =
    credential.keyId === keyring.current.id
      ? undefined
      : await seal(keyring, secret, totpSecretAad(credential.accountId, credential.id));
  const tokenHash = await sha256Hex(token);
  const completed = await acceptance.store(() =>
    completeSignIn(s.db, {
      challengeHash,
      accountId: credential.accountId,
      now: s.now,
      session: {
        id: session.id,
        tokenHash,
        expiresAt: session.expiresAt,
        ip: s.source.ip,
        userAgent: s.source.userAgent,
      },
      totp: result.kind === "totp" ? { credentialId: credential.id, step: result.step!, reseal } : undefined,
      recoveryCodeId,
      events,
      source: s.source,
    }),
  );
  if (!completed) throw new AppError(result.kind === "recovery" ? "MFA_OTP_INVALID" : "MFA_CHALLENGE_INVALID");
  return session;
}
