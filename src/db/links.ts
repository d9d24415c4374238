/**
 * @module db/links
 * Magic sign-in links: stored as the SHA-256 of their token, spent by one atomic UPDATE.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "./client";
import { signInLinks } from "./schema";

export function insertLinkStatement(db: Db, row: typeof signInLinks.$inferInsert) {
  return db.insert(signInLinks).values(row);
}

/** Spends a link; returns its account, or undefined when unknown, expired or already used. */
export async function consumeLink(db: Db, tokenHash: string, now: number): Promise<string | undefined> {
  const rows = await db
    .update(signInLinks)
    .set({ consumedAt: now })
    .where(and(eq(signInLinks.tokenHash, tokenHash), isNull(signInLinks.consumedAt), gt(signInLinks.expiresAt, now)))
    .returning({ accountId: signInLinks.accountId });
  return rows[0]?.accountId;
}
