/**
 * @module db/accounts
 * Accounts: created at sign-up, found by normalised email or id.
 */
import { eq, type SQL, sql } from "drizzle-orm";
import { runBatch } from "./batch";
import type { Db } from "./client";
import type { EventSource } from "./events";
import { accounts } from "./schema";
import type { NewSession } from "./sessions";

export type AccountRow = typeof accounts.$inferSelect;

export async function findAccountByEmail(db: Db, email: string): Promise<AccountRow | undefined> {
  return db.select().from(accounts).where(eq(accounts.email, email)).get();
}

export async function findAccountById(db: Db, id: string): Promise<AccountRow | undefined> {
  return db.select().from(accounts).where(eq(accounts.id, id)).get();
}

/** Inserts unless the email exists; returns false on a duplicate (no exception, no partial row). */
export async function insertAccount(db: Db, row: typeof accounts.$inferInsert): Promise<boolean> {
  const inserted = await db
    .insert(accounts)
    .values(row)
    .onConflictDoNothing({ target: accounts.email })
    .returning({ id: accounts.id });
  return inserted.length === 1;
}

export function updatePasswordHashStatement(db: Db, accountId: string, passwordHash: string) {
  return db.update(accounts).set({ passwordHash }).where(eq(accounts.id, accountId));
}

/** Marks the mailbox proven, only if `condition` holds (in the batch that spends the link). */
export function markEmailVerifiedIf(accountId: string, now: number, condition: SQL) {
  return sql`UPDATE accounts SET email_verified_at = ${now} WHERE id = ${accountId} AND ${condition}`;
}

/**
 * Creates an account, its first session and the audit event in one transaction. Returns false
 * (and writes nothing) when the email is taken.
 */
export async function createAccountWithSession(
  db: Db,
  account: typeof accounts.$inferInsert,
  session: NewSession,
  source: EventSource,
): Promise<boolean> {
  const created = sql`EXISTS (SELECT 1 FROM accounts WHERE id = ${account.id} AND created_at = ${account.createdAt})`;
  const [inserted] = await runBatch(db, [
    db.insert(accounts).values(account).onConflictDoNothing({ target: accounts.email }),
    sql`INSERT INTO sessions (id, token_hash, account_id, aal, created_at, last_seen_at, expires_at, ip, user_agent)
      SELECT ${session.id}, ${session.tokenHash}, ${account.id}, ${session.aal}, ${session.createdAt}, ${session.lastSeenAt},
        ${session.expiresAt}, ${session.ip ?? null}, ${session.userAgent ?? null} WHERE ${created}`,
    sql`INSERT INTO account_events (account_id, type, ip, user_agent, created_at)
      SELECT ${account.id}, 'signup', ${source.ip}, ${source.userAgent}, ${account.createdAt} WHERE ${created}`,
  ]);
  return inserted!.meta.changes === 1;
}
