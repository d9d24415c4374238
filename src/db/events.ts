/**
 * @module db/events
 * The audit trail: what happened to an account, from where, when. Never a code or secret.
 */
import { desc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { accountEvents } from "./schema";

export type AccountEventType =
  | "signup"
  | "signin"
  | "signin_failed"
  | "mfa_challenge_issued"
  | "mfa_verified"
  | "mfa_failed"
  | "mfa_locked"
  | "mfa_unlocked"
  | "mfa_reset_by_operator"
  | "mfa_enabled"
  | "mfa_disabled"
  | "recovery_code_used"
  | "recovery_codes_regenerated"
  | "session_revoked"
  | "signout"
  | "link_sent";

export interface EventSource {
  ip: string;
  userAgent: string | null;
}

export function insertEventStatement(
  db: Db,
  accountId: string,
  type: AccountEventType,
  source: EventSource,
  now: number,
) {
  return db
    .insert(accountEvents)
    .values({ accountId, type, ip: source.ip, userAgent: source.userAgent, createdAt: now });
}

/** The same event, recorded only if `condition` holds (for statements inside a claim's batch). */
export function insertEventIfStatement(
  accountId: string,
  type: AccountEventType,
  source: EventSource,
  now: number,
  condition: SQL,
) {
  return sql`INSERT INTO account_events (account_id, type, ip, user_agent, created_at)
    SELECT ${accountId}, ${type}, ${source.ip}, ${source.userAgent}, ${now} WHERE ${condition}`;
}

export async function listEvents(db: Db, accountId: string, limit = 50) {
  return db
    .select()
    .from(accountEvents)
    .where(eq(accountEvents.accountId, accountId))
    .orderBy(desc(accountEvents.createdAt), desc(accountEvents.id))
    .limit(limit)
    .all();
}
