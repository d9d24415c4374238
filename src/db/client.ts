/**
 * @module db/client
 * The drizzle database over the fail-closed D1 binding. Repositories take a `Db`.
 */
import { drizzle } from "drizzle-orm/d1";
import { type D1Observer, failClosed } from "./guard";
import * as schema from "./schema";

export function createDb(d1: D1Database, observer?: D1Observer) {
  return drizzle(failClosed(d1, observer), { schema });
}

export type Db = ReturnType<typeof createDb>;
