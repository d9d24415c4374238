/**
 * @module db/guard
 * Wraps the D1 binding so any storage failure surfaces as StorageUnavailableError (503, fail
 * closed) instead of a generic 500, and so tests can count or break queries at one seam.
 */
import { StorageUnavailableError } from "../errors";

export interface D1Observer {
  /** Called before each round trip to D1 (a statement execution or a whole batch). */
  beforeQuery?(kind: "first" | "all" | "run" | "raw" | "batch" | "exec"): void;
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof StorageUnavailableError ? err : new StorageUnavailableError(err);
  }
}

class GuardedStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly observer: D1Observer,
  ) {}
  bind(...values: unknown[]): GuardedStatement {
    return new GuardedStatement(this.inner.bind(...values), this.observer);
  }
  first<T>(column?: string): Promise<T | null> {
    this.observer.beforeQuery?.("first");
    return guarded(() => (column === undefined ? this.inner.first<T>() : this.inner.first<T>(column)));
  }
  all<T>(): Promise<D1Result<T>> {
    this.observer.beforeQuery?.("all");
    return guarded(() => this.inner.all<T>());
  }
  run<T>(): Promise<D1Result<T>> {
    this.observer.beforeQuery?.("run");
    return guarded(() => this.inner.run<T>());
  }
  raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    this.observer.beforeQuery?.("raw");
    // biome-ignore lint/suspicious/noExplicitAny: D1's raw() overloads differ only in the header row
    return guarded(() => this.inner.raw<T>(options as any) as Promise<T[]>);
  }
}

/** Returns a D1Database whose failures are StorageUnavailableError. */
export function failClosed(db: D1Database, observer: D1Observer = {}): D1Database {
  const wrapper = {
    prepare: (query: string) => new GuardedStatement(db.prepare(query), observer),
    batch: (statements: GuardedStatement[]) => {
      observer.beforeQuery?.("batch");
      return guarded(() => db.batch(statements.map((s) => (s instanceof GuardedStatement ? s.inner : s))));
    },
    exec: (query: string) => {
      observer.beforeQuery?.("exec");
      return guarded(() => db.exec(query));
    },
    dump: () => guarded(() => db.dump()),
    withSession: () => {
      throw new Error("failClosed: withSession is not used by this service");
    },
  };
  return wrapper as unknown as D1Database;
}
