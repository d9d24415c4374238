/**
 * @module auth/signup
 * Creating an account with a password; it starts with an aal-1 session and no authenticator.
 */
import { hashPassword } from "../crypto/password";
import { randomId } from "../crypto/random";
import { createAccountWithSession } from "../db/accounts";
import { AppError } from "../errors";
import type { Services } from "../services";
import { type IssuedSession, prepareSession } from "./sessions";

export async function signUp(s: Services, input: { email: string; password: string }): Promise<IssuedSession> {
  const { minLength, maxLength, scrypt } = s.policy.password;
  if (input.password.length < minLength || input.password.length > maxLength) {
    throw new AppError("VALIDATION_FAILED", {
      message: `The password must be ${minLength} to ${maxLength} characters.`,
    });
  }
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
