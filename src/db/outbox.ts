/**
 * @module db/outbox
 * The development mailer's table: what would have been emailed.
 */
import { desc } from "drizzle-orm";
import type { Db } from "./client";
import { outbox } from "./schema";

export function insertOutboxStatement(db: Db, mail: { recipient: string; subject: string; body: string }, now: number) {
  return db.insert(outbox).values({ ...mail, createdAt: now });
}

export async function listOutbox(db: Db, limit = 50) {
  return db.select().from(outbox).orderBy(desc(outbox.id)).limit(limit).all();
}
