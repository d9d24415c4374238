/**
 * Arranging state without the API's scrypt cost: an account (with the test PASSWORD, or none)
 * and an aal-1 session, written through the same repository function sign-up uses. Tests whose
 * subject is sign-up or password sign-in use the API instead.
 */
import { env } from "cloudflare:workers";
import { createAccountWithSession } from "../../src/db/accounts";
import { createDb } from "../../src/db/client";
import { type ApiClient, freshEmail } from "./api";
import { remember } from "./at-rest";
import { sha256Hex } from "./db";

/** `$scrypt$…` of PASSWORD under config/auth.ts parameters (N=2^14, r=8, p=5), computed once. */
export const PASSWORD_HASH =
  "$scrypt$ln=14,r=8,p=5$jkNoXuhKfD6KpPNSBC4Fvw==$rSeG/OEzlgJ5VfkRCSGRzD0ANEerS5L870iyYQ8zgbg=";

const AAL1_LIFETIME_MS = 30 * 24 * 3600 * 1000;
const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;

export interface SeededAccount {
  accountId: string;
  email: string;
  sessionId: string;
  token: string;
}

function randomBase64Url(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Creates an account and an aal-1 session; with `client`, the client uses that session. */
export async function seedAccount(
  options: { client?: ApiClient; email?: string; withPassword?: boolean; now?: number } = {},
): Promise<SeededAccount> {
  const email = options.email ?? freshEmail("seeded");
  const now = options.now ?? Date.now();
  const accountId = randomBase64Url(16);
  const sessionId = randomBase64Url(16);
  const token = randomBase64Url(32);
  const created = await createAccountWithSession(
    createDb(env.DB),
    { id: accountId, email, passwordHash: options.withPassword === false ? null : PASSWORD_HASH, createdAt: now },
    {
      id: sessionId,
      tokenHash: await sha256Hex(token),
      accountId,
      aal: 1,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + AAL1_LIFETIME_MS,
      ip: options.client?.ip ?? null,
      userAgent: null,
    },
    { ip: options.client?.ip ?? "seed", userAgent: null },
  );
  if (!created) throw new Error(`seedAccount: ${email} exists`);
  remember("session-token", token);
  if (options.client) options.client.token = token;
  return { accountId, email, sessionId, token };
}

/** Another live session of an account (e.g. a second device signed in before MFA was enabled). */
export async function seedSession(
  accountId: string,
  options: { client?: ApiClient; aal?: 1 | 2; now?: number } = {},
): Promise<{ sessionId: string; token: string }> {
  const now = options.now ?? Date.now();
  const sessionId = randomBase64Url(16);
  const token = randomBase64Url(32);
  await env.DB.prepare(
    "INSERT INTO sessions (id, token_hash, account_id, aal, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(sessionId, await sha256Hex(token), accountId, options.aal ?? 1, now, now, now + AAL1_LIFETIME_MS)
    .run();
  remember("session-token", token);
  if (options.client) options.client.token = token;
  return { sessionId, token };
}

/**
 * A pending sign-in challenge for `accountId`, stored as the gate stores one (SHA-256 of the
 * token, 5 minutes): for tests of the second step that need not pay for a password check.
 */
export async function seedChallenge(
  accountId: string,
  options: { client?: ApiClient; strategy?: string; now?: number } = {},
): Promise<string> {
  const now = options.now ?? Date.now();
  const token = randomBase64Url(32);
  await env.DB.prepare(
    "INSERT INTO mfa_challenges (token_hash, account_id, strategy, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(await sha256Hex(token), accountId, options.strategy ?? "password", now + CHALLENGE_LIFETIME_MS, now)
    .run();
  remember("challenge-token", token);
  if (options.client) options.client.challenge = token;
  return token;
}
