/**
 * Storage that fails on cue: a D1 binding that throws at its Nth execution (first/all/run/raw/
 * batch/exec — prepare and bind are not executions) and a LIMITER namespace whose stubs throw at
 * the Nth RPC. An app with an injected clock runs over them, so each call can fail in turn.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type AppOptions, createApp } from "../../src/app";
import type { Limiter } from "../../src/limits/limiter";
import type { Fetcher } from "./api";

/** Counts calls and throws at call `failAt` (1-based; 0 = never). */
export class FaultPlan {
  calls = 0;
  failAt = 0;
  /** What each call was, e.g. `batch` or `mfa:abc.secondFactor`, and whether it was the one that failed. */
  readonly log: { what: string; failed: boolean }[] = [];

  constructor(readonly label: string) {}

  reset(failAt = 0): void {
    this.calls = 0;
    this.failAt = failAt;
    this.log.length = 0;
  }

  hit<T>(what: string, run: () => Promise<T>): Promise<T> {
    this.calls++;
    const failed = this.calls === this.failAt;
    this.log.push({ what, failed });
    if (failed) return Promise.reject(new Error(`${this.label}: injected failure at call ${this.calls} (${what})`));
    return run();
  }
}

class FaultyStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly plan: FaultPlan,
  ) {}
  bind(...values: unknown[]): FaultyStatement {
    return new FaultyStatement(this.inner.bind(...values), this.plan);
  }
  first(column?: string) {
    return this.plan.hit("first", () => (column === undefined ? this.inner.first() : this.inner.first(column)));
  }
  all() {
    return this.plan.hit("all", () => this.inner.all());
  }
  run() {
    return this.plan.hit("run", () => this.inner.run());
  }
  raw(options?: { columnNames?: boolean }) {
    // biome-ignore lint/suspicious/noExplicitAny: D1's raw() overloads differ only in the header row
    return this.plan.hit("raw", () => this.inner.raw(options as any));
  }
}

export function faultyD1(real: D1Database, plan: FaultPlan): D1Database {
  const unwrap = (s: unknown) => (s instanceof FaultyStatement ? s.inner : (s as D1PreparedStatement));
  return {
    prepare: (query: string) => new FaultyStatement(real.prepare(query), plan),
    batch: (statements: unknown[]) => plan.hit("batch", () => real.batch(statements.map(unwrap))),
    exec: (query: string) => plan.hit("exec", () => real.exec(query)),
    dump: () => real.dump(),
    withSession: () => {
      throw new Error("faultyD1: withSession is not used by this service");
    },
  } as unknown as D1Database;
}

export function faultyLimiter(real: DurableObjectNamespace<Limiter>, plan: FaultPlan): DurableObjectNamespace<Limiter> {
  const stub = (name: string) => {
    const inner = real.getByName(name) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    return new Proxy(
      {},
      {
        get: (_, method) =>
          typeof method !== "string" || method === "then"
            ? undefined
            : (...args: unknown[]) => plan.hit(`${name}.${method}`, () => Promise.resolve(inner[method]!(...args))),
      },
    );
  };
  return { getByName: stub } as unknown as DurableObjectNamespace<Limiter>;
}

export interface FaultyWorld {
  /** The app's clock (Unix ms); tests move it. */
  clock: { now: number };
  d1: FaultPlan;
  rpc: FaultPlan;
  /** Calls the app over the faulty bindings (healthy unless a plan says otherwise). */
  send: Fetcher;
}

export function faultyWorld(
  start = Date.UTC(2027, 0, 4, 9, 0, 0),
  options: Omit<AppOptions, "clock"> = {},
): FaultyWorld {
  const clock = { now: start };
  const app = createApp({ ...options, clock: () => clock.now });
  const d1 = new FaultPlan("D1");
  const rpc = new FaultPlan("Limiter");
  const bindings = { ...env, DB: faultyD1(env.DB, d1), LIMITER: faultyLimiter(env.LIMITER, rpc) };
  const send: Fetcher = async (request) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(request, bindings, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  return { clock, d1, rpc, send };
}
