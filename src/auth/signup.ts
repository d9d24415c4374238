/**
 * @module auth/signup
 * Creating an account with a password; it starts with an aal-1 session and no authenticator.
 */
import type { AuthPolicy } from "../../config/auth";
import { hashPassword } from "../crypto/password";
import { randomId } from "../crypto/random";
import { createAccountWithSession } from "../db/accounts";
import { AppError } from "../errors";
import type { Services } from "../services";
import { type IssuedSession, prepareSession } from "./sessions";

/** The policy's length rule; routes call it before the IP limiter so a rejected body counts nothing. */
export function assertPasswordLength(policy: AuthPolicy, password: string): void {
  const { minLength, maxLength } = policy.password;
  if (password.length < minLength || password.length > maxLength) {
    throw new AppError("VALIDATION_FAILED", {
      message: `The password must be ${minLength} to ${maxLength} characters.`,
    });
  }
}

export async function signUp(s: Services, input: { email: string; password: string }): Promise<IssuedSession> {
  assertPasswordLength(s.policy, input.password);
  const { scrypt } = s.policy.password;
  const accountId = randomId();
  const passwordHash = await hashPassword(input.password, scrypt);
  const { row, issued } = await prepareSession(s, accountId, 1);
  const created = await createAccountWithSession(
    s.db,
    { id: accountId, email: input.email, passwordHash, createdAt: s.now },
    row,
    s.source,
  );
  if (!created) throw new AppError("EMAIL_TAKEN");
  return issued;
}
