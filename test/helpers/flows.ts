/**
 * Multi-step arrangements shared by the test files: an account with a confirmed authenticator,
 * and a full password + code sign-in.
 */
import type { ApiClient } from "./api";
import { codeAt } from "./authenticator";
import { type SeededAccount, seedAccount, seedChallenge } from "./seed";

export interface EnrolledAccount extends SeededAccount {
  secret: string;
  recoveryCodes: string[];
  /** When the enrollment code was computed; its step is burned. */
  enrolledAt: number;
}

/**
 * A seeded account (password PASSWORD unless `withPassword: false`) that confirmed an
 * authenticator at `now`; `client` holds its (now aal-2) session.
 */
export async function enrolledAccount(
  client: ApiClient,
  options: { now?: number; withPassword?: boolean; email?: string } = {},
): Promise<EnrolledAccount> {
  const now = options.now ?? Date.now();
  const account = await seedAccount({ client, now, withPassword: options.withPassword, email: options.email });
  const { secret, recoveryCodes } = await client.enroll(now);
  return { ...account, token: client.token!, secret, recoveryCodes, enrolledAt: now };
}

/** Password, then the code at `at`; returns the MFA answer (the client keeps the new token). */
export async function signInWithCode(client: ApiClient, email: string, secret: string, at: number) {
  const first = await client.signIn(email);
  if (first.status !== 200 || !first.body.mfa_required) {
    throw new Error(`expected a challenge: ${first.status} ${JSON.stringify(first.body)}`);
  }
  return client.mfa({ otp: codeAt(secret, at) });
}

/**
 * The second step alone: a fresh challenge as the gate stores it (no scrypt), then the code.
 * For tests whose subject is the code, not the password.
 */
export async function completeWithCode(
  client: ApiClient,
  accountId: string,
  code: { otp: string } | { recovery_code: string },
  options: { now?: number; strategy?: string } = {},
) {
  await seedChallenge(accountId, { client, now: options.now, strategy: options.strategy });
  return client.mfa(code, options.strategy);
}
