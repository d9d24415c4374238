/**
 * @module db/batch
 * One D1 batch (one transaction, one round trip) mixing drizzle builders and raw `sql`
 * statements. drizzle's own batch cannot take raw statements with parameters, and the
 * single-use claims need `INSERT … SELECT … WHERE EXISTS` that its builders cannot express.
 */
import { is, SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

const dialect = new SQLiteAsyncDialect();

export type BatchItem = SQL | { toSQL(): { sql: string; params: unknown[] } };

function prepare(db: Db, item: BatchItem): D1PreparedStatement {
  const query = is(item, SQL) ? dialect.sqlToQuery(item) : item.toSQL();
  return db.$client.prepare(query.sql).bind(...query.params);
}

export function runBatch(db: Db, items: readonly BatchItem[]): Promise<D1Result[]> {
  return db.$client.batch(items.map((item) => prepare(db, item)));
}
