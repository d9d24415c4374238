/**
 * @module test/perf/counting-env
 * An instrumented copy of the Worker's bindings: every D1 round trip (a statement execution or a
 * whole batch, seen through `failClosed`'s observer) and every Durable Object RPC is recorded.
 * Used by the work-per-request test and by the benchmark's probe Worker (test/bench/probe).
 */
import { failClosed } from "../../src/db/guard";

export interface WorkCount {
  /** One entry per D1 round trip: "first", "all", "run", "raw", "batch" or "exec". */
  d1: string[];
  /** One entry per Durable Object call: "<object name>.<method>", e.g. "ip:192.0.2.1.ipRequest". */
  durableObjects: string[];
}

export const emptyCount = (): WorkCount => ({ d1: [], durableObjects: [] });

/** Wraps a stub so each method call is recorded under the object's name before it is sent. */
function countingStub<T extends object>(stub: T, name: string, count: WorkCount): T {
  return new Proxy(stub, {
    // Native objects: read with the target as receiver, or their getters throw "Illegal invocation".
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        count.durableObjects.push(`${name}.${property}`);
        return Reflect.apply(value, target, args);
      };
    },
  });
}

function countingNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  namespace: DurableObjectNamespace<T>,
  count: WorkCount,
): DurableObjectNamespace<T> {
  return new Proxy(namespace, {
    get(target, property) {
      if (property === "getByName") {
        return (name: string, options?: DurableObjectNamespaceGetDurableObjectOptions) =>
          countingStub(target.getByName(name, options), name, count);
      }
      if (property === "get") {
        return (id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) =>
          countingStub(target.get(id, options), id.name ?? id.toString(), count);
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The same bindings, with D1 and the Limiter namespace counting into `count`. */
export function countingEnv(env: Cloudflare.Env, count: WorkCount): Cloudflare.Env {
  return {
    ...env,
    // The app wraps DB in failClosed again; the inner wrapper unwraps its own statements in batch().
    DB: failClosed(env.DB, { beforeQuery: (kind) => count.d1.push(kind) }),
    LIMITER: countingNamespace(env.LIMITER, count),
  };
}
