/**
 * @module auth/sessions
 * Issuing and checking sessions. A session token is 32 random bytes shown once; D1 keeps its
 * SHA-256. aal-2 sessions end after 30 min idle and 12 h in all (NIST SP 800-63B §4.2.3).
 */
import { sha256Hex } from "../crypto/hash";
import { randomId, randomToken } from "../crypto/random";
import { findSessionByTokenHash, type NewSession, touchSessionStatement } from "../db/sessions";
import type { SessionContext } from "../env";
import type { Services } from "../services";

export interface IssuedSession {
  id: string;
  token: string;
  expiresAt: number;
}

export function absoluteLifetimeMs(s: Services, aal: 1 | 2): number {
  return (aal === 2 ? s.policy.ttl.aal2AbsoluteSeconds : s.policy.ttl.aal1AbsoluteSeconds) * 1000;
}

/** A new session's row and token, for callers that insert it inside their own batch. */
export async function prepareSession(
  s: Services,
  accountId: string,
  aal: 1 | 2,
): Promise<{ row: NewSession; issued: IssuedSession }> {
  const token = randomToken();
  const id = randomId();
  const expiresAt = s.now + absoluteLifetimeMs(s, aal);
  const row: NewSession = {
    id,
    tokenHash: await sha256Hex(token),
    accountId,
    aal,
    createdAt: s.now,
    lastSeenAt: s.now,
    expiresAt,
    ip: s.source.ip,
    userAgent: s.source.userAgent,
  };
  return { row, issued: { id, token, expiresAt } };
}

/**
 * Resolves a bearer token to a live session, or undefined. Refreshes last_seen_at at most once
 * per `sessionTouchSeconds` so that most authenticated reads stay one query.
 */
export async function authenticateToken(
  s: Services,
  token: string,
  via: SessionContext["via"],
): Promise<SessionContext | undefined> {
  if (token.length < 16 || token.length > 128) return undefined;
  const row = await findSessionByTokenHash(s.db, await sha256Hex(token));
  if (!row || row.revokedAt !== null || row.expiresAt <= s.now) return undefined;
  if (row.aal === 2 && row.lastSeenAt + s.policy.ttl.aal2IdleSeconds * 1000 <= s.now) return undefined;
  if (s.now - row.lastSeenAt >= s.policy.ttl.sessionTouchSeconds * 1000)
    await touchSessionStatement(s.db, row.id, s.now);
  return {
    sessionId: row.id,
    accountId: row.accountId,
    aal: row.aal === 2 ? 2 : 1,
    authenticatedAt: row.createdAt,
    via,
  };
}
