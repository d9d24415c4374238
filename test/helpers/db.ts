/**
 * Reads D1 directly, so tests can assert the stored state that follows each answer.
 * Rows come back with their SQL column names (snake_case), exactly as stored.
 */
import { env } from "cloudflare:workers";
import { userTables } from "./at-rest";

export const STEP_MS = 30_000;
/** The TOTP time step (RFC 6238, 30 s) that contains `ms`. */
export const stepOf = (ms: number): number => Math.floor(ms / STEP_MS);

export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  const { results } = await env.DB.prepare(sql)
    .bind(...params)
    .all<T>();
  return results;
}

export async function one<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T | undefined> {
  return (await rows<T>(sql, ...params))[0];
}

export interface AccountRow {
  id: string;
  email: string;
  password_hash: string | null;
  email_verified_at: number | null;
}
export interface SessionRow {
  id: string;
  token_hash: string;
  account_id: string;
  aal: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}
export interface CredentialRow {
  id: string;
  account_id: string;
  ciphertext: string;
  key_id: string;
  last_used_step: number;
  confirmed_at: number;
}
export interface RecoveryCodeRow {
  id: string;
  code_hash: string;
  key_id: string;
  used_at: number | null;
  used_by: string | null;
}
export interface ChallengeRow {
  token_hash: string;
  strategy: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  session_id: string | null;
}

export const accountByEmail = (email: string) =>
  one<AccountRow>("SELECT * FROM accounts WHERE email = ?", email.trim().toLowerCase());

export async function accountIdOf(email: string): Promise<string> {
  const account = await accountByEmail(email);
  if (!account) throw new Error(`no account for ${email}`);
  return account.id;
}

export const sessionsOf = (accountId: string) =>
  rows<SessionRow>("SELECT * FROM sessions WHERE account_id = ? ORDER BY created_at, id", accountId);
export const credentialsOf = (accountId: string) =>
  rows<CredentialRow>("SELECT * FROM mfa_credentials WHERE account_id = ?", accountId);
export const enrollmentsOf = (accountId: string) =>
  rows<{ id: string; ciphertext: string; key_id: string; expires_at: number }>(
    "SELECT * FROM mfa_enrollments WHERE account_id = ?",
    accountId,
  );
export const recoveryCodesOf = (accountId: string) =>
  rows<RecoveryCodeRow>("SELECT * FROM recovery_codes WHERE account_id = ?", accountId);
export const challengesOf = (accountId: string) =>
  rows<ChallengeRow>("SELECT * FROM mfa_challenges WHERE account_id = ? ORDER BY created_at", accountId);

export async function eventTypesOf(accountId: string): Promise<string[]> {
  const events = await rows<{ type: string }>(
    "SELECT type FROM account_events WHERE account_id = ? ORDER BY id",
    accountId,
  );
  return events.map((e) => e.type);
}

/** The SHA-256 (hex) under which a token is stored. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sessionByToken(token: string): Promise<SessionRow | undefined> {
  return one<SessionRow>("SELECT * FROM sessions WHERE token_hash = ?", await sha256Hex(token));
}

export async function challengeByToken(token: string): Promise<ChallengeRow | undefined> {
  return one<ChallengeRow>("SELECT * FROM mfa_challenges WHERE token_hash = ?", await sha256Hex(token));
}

/** Row counts of every table: "nothing was written" is "these did not change". */
export async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await userTables()) {
    counts[table] = (await one<{ n: number }>(`SELECT count(*) AS n FROM "${table}"`))!.n;
  }
  return counts;
}

/** The newest sign-in link mailed to `email` through the development outbox. */
export async function linkTokenFromOutbox(email: string): Promise<string> {
  const mail = await one<{ body: string }>(
    "SELECT body FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1",
    email.trim().toLowerCase(),
  );
  const match = mail && /[?&]token=([^\s&]+)/.exec(mail.body);
  if (!match) throw new Error(`no sign-in link in the outbox for ${email}`);
  return decodeURIComponent(match[1]!);
}
