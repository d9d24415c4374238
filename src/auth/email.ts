/**
 * @module auth/email
 * One spelling per mailbox: emails are trimmed, NFKC-normalised and lower-cased before they are
 * stored, looked up or counted by the first-factor limiter.
 */
import { z } from "@hono/zod-openapi";
import { sha256Hex } from "../crypto/hash";

export const normalizeEmail = (email: string): string => email.normalize("NFKC").trim().toLowerCase();

export const emailSchema = z
  .string()
  .max(254)
  .transform(normalizeEmail)
  .pipe(z.email())
  .openapi({ type: "string", format: "email", example: "ada@example.com" });

/** The limiter key for an email, the same whether or not an account exists. */
export const firstFactorKey = (email: string): Promise<string> => sha256Hex(`email:${email}`);
