/**
 * @module db/links
 * Magic sign-in links: stored as the SHA-256 of their token, spent by a conditional UPDATE in the
 * same transaction that issues the session or challenge — never one without the other.
 */
import { and, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { signInLinks } from "./schema";

export function insertLinkStatement(db: Db, row: typeof signInLinks.$inferInsert) {
  return db.insert(signInLinks).values(row);
}

/** The account of a live link (known, unexpired, unused), without spending it. */
export async function findLiveLink(db: Db, tokenHash: string, now: number): Promise<string | undefined> {
  const row = await db
    .select({ accountId: signInLinks.accountId })
    .from(signInLinks)
    .where(and(eq(signInLinks.tokenHash, tokenHash), isNull(signInLinks.consumedAt), gt(signInLinks.expiresAt, now)))
    .get();
  return row?.accountId;
}

/** Holds, inside a transaction, while the link is still live. */
export const linkIsLive = (tokenHash: string, now: number) =>
  sql`EXISTS (SELECT 1 FROM sign_in_links WHERE token_hash = ${tokenHash} AND consumed_at IS NULL AND expires_at > ${now})`;

/** Spends the link, only if `issued` holds: it runs in the batch that issued the session or challenge. */
export const spendLinkIf = (tokenHash: string, now: number, issued: SQL) =>
  sql`UPDATE sign_in_links SET consumed_at = ${now} WHERE token_hash = ${tokenHash} AND consumed_at IS NULL AND ${issued}`;
