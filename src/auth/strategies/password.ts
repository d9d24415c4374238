/**
 * @module auth/strategies/password
 * Email and password. Unknown emails cost the same scrypt work and get the same answer as wrong
 * passwords, and are counted by the first-factor limiter under the same key scheme.
 */
import { z } from "@hono/zod-openapi";
import { hashPassword, needsRehash, verifyPassword } from "../../crypto/password";
import { findAccountByEmail, updatePasswordHashStatement } from "../../db/accounts";
import { AppError } from "../../errors";
import { emailSchema, firstFactorKey } from "../email";
import type { Strategy } from "./types";

const bodySchema = z
  .object({
    email: emailSchema,
    password: z.string().min(1).max(1024),
  })
  .openapi("PasswordSignIn");

export const passwordStrategy: Strategy<z.infer<typeof bodySchema>> = {
  name: "password",
  summary: "Sign in with email and password",
  body: bodySchema,
  answers: "gate",
  errors: ["AUTH_INVALID_CREDENTIALS", "AUTH_RATE_LIMITED"],
  async start(s, { email, password }) {
    const account = await findAccountByEmail(s.db, email);
    const valid = await verifyPassword(account?.passwordHash ?? null, password, s.policy.password.scrypt);
    const verdict = await s.limiter.firstFactor(await firstFactorKey(email), s.now, valid);
    if (!verdict.ok) throw new AppError("AUTH_RATE_LIMITED", { retryAfterSeconds: verdict.retryAfterSeconds });
    if (!valid || !account) throw new AppError("AUTH_INVALID_CREDENTIALS");
    if (account.passwordHash && needsRehash(account.passwordHash, s.policy.password.scrypt)) {
      const upgraded = await hashPassword(password, s.policy.password.scrypt);
      await updatePasswordHashStatement(s.db, account.id, upgraded);
    }
    return { kind: "authenticated", accountId: account.id };
  },
};
