/**
 * @module db/sessions
 * Sessions, found by the SHA-256 of their bearer token; the token itself is never stored.
 */
import { and, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { sessions } from "./schema";

export type SessionRow = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;

/** Inserts the session only if `condition` holds when the statement runs (inside a batch). */
export function insertSessionIf(row: NewSession, condition: SQL) {
  return sql`INSERT INTO sessions (id, token_hash, account_id, aal, created_at, last_seen_at, expires_at, ip, user_agent)
    SELECT ${row.id}, ${row.tokenHash}, ${row.accountId}, ${row.aal}, ${row.createdAt}, ${row.lastSeenAt},
      ${row.expiresAt}, ${row.ip ?? null}, ${row.userAgent ?? null} WHERE ${condition}`;
}

export async function findSessionByTokenHash(db: Db, tokenHash: string): Promise<SessionRow | undefined> {
  return db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).get();
}

export function touchSessionStatement(db: Db, id: string, now: number) {
  return db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
}

export function upgradeSessionStatement(db: Db, id: string, aal: 1 | 2, expiresAt: number) {
  return db.update(sessions).set({ aal, expiresAt }).where(eq(sessions.id, id));
}

/** Revokes one session of an account; returns whether a live one was revoked. */
export async function revokeSession(db: Db, accountId: string, id: string, now: number): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, id), eq(sessions.accountId, accountId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length === 1;
}

/** Live and expired sessions alike, newest first; the caller filters what to show. */
export async function listSessions(db: Db, accountId: string, limit = 50): Promise<SessionRow[]> {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt)))
    .orderBy(desc(sessions.createdAt))
    .limit(limit)
    .all();
}

export function revokeAllSessionsStatement(db: Db, accountId: string, now: number) {
  return db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt)));
}
