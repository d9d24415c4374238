/**
 * @module account/security
 * What an account can see about itself: profile, MFA status, recovery codes left, live sessions.
 */
import { findAccountById } from "../db/accounts";
import { countUnusedRecoveryCodes, findCredential } from "../db/mfa";
import { listSessions, type SessionRow } from "../db/sessions";
import type { SessionContext } from "../env";
import { AppError } from "../errors";
import type { Services } from "../services";

export interface SessionView {
  id: string;
  aal: number;
  current: boolean;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function isLive(s: Services, row: SessionRow): boolean {
  if (row.expiresAt <= s.now) return false;
  return row.aal !== 2 || row.lastSeenAt + s.policy.ttl.aal2IdleSeconds * 1000 > s.now;
}

export async function liveSessions(s: Services, session: SessionContext): Promise<SessionView[]> {
  const rows = await listSessions(s.db, session.accountId);
  return rows
    .filter((row) => isLive(s, row))
    .map((row) => ({
      id: row.id,
      aal: row.aal,
      current: row.id === session.sessionId,
      created_at: iso(row.createdAt),
      last_seen_at: iso(row.lastSeenAt),
      expires_at: iso(row.expiresAt),
      ip: row.ip,
      user_agent: row.userAgent,
    }));
}

export async function securityOverview(s: Services, session: SessionContext) {
  const [account, credential, remaining, sessions] = await Promise.all([
    findAccountById(s.db, session.accountId),
    findCredential(s.db, session.accountId),
    countUnusedRecoveryCodes(s.db, session.accountId),
    liveSessions(s, session),
  ]);
  if (!account) throw new AppError("UNAUTHENTICATED");
  return {
    profile: {
      id: account.id,
      email: account.email,
      password: account.passwordHash !== null,
      verified: account.emailVerifiedAt !== null,
    },
    mfa: credential ? iso(credential.confirmedAt) : null,
    recovery_codes_remaining: remaining,
    sessions,
  };
}
