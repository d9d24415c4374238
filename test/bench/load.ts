/**
 * @module test/bench/load
 * A closed-loop load driver on undici: C keep-alive connections to 127.0.0.1, each sending its
 * next task when the previous one has answered. A task is one request or a short flow (sign-in,
 * then the code); its latency is the whole flow's. Bounded by time, by a task count and by an
 * error budget. Percentiles are nearest-rank over every successful task.
 */
import { Client } from "undici";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type Send = (
  method: "GET" | "POST",
  path: string,
  init?: { headers?: Record<string, string>; json?: unknown },
) => Promise<Answer>;

/** Performs one unit of work; throws when an answer is not the expected one. */
export type Task = (send: Send) => Promise<void>;

export interface PhaseSpec {
  connections: number;
  seconds: number;
  /** Stop after this many tasks (counting failed ones). */
  maxTasks?: number;
  /** The next task, or undefined when the prepared data is used up. */
  next(): Task | undefined;
}

export interface Samples {
  ok: number;
  errors: number;
  requests: number;
  seconds: number;
  latenciesMs: number[];
  firstErrors: string[];
  /** True when `next()` ran out before the time was up. */
  exhausted: boolean;
}

export interface Summary {
  tasks: number;
  errors: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  exhausted: boolean;
  firstErrors: string[];
  /** Successful tasks per second of each slice, to show the spread. */
  sliceRates: number[];
}

const ERROR_BUDGET = 50;

export async function runPhase(origin: string, spec: PhaseSpec): Promise<Samples> {
  const samples: Samples = {
    ok: 0,
    errors: 0,
    requests: 0,
    seconds: 0,
    latenciesMs: [],
    firstErrors: [],
    exhausted: false,
  };
  const deadline = performance.now() + spec.seconds * 1000;
  let started = 0;
  const clients: Client[] = [];
  const t0 = performance.now();

  async function connection() {
    const client = new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 });
    clients.push(client);
    const send: Send = async (method, path, init = {}) => {
      const headers = { ...init.headers };
      let body: string | undefined;
      if (init.json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(init.json);
      }
      samples.requests++;
      const res = await client.request({ method, path, headers, body });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    };
    while (performance.now() < deadline && samples.errors < ERROR_BUDGET) {
      if (spec.maxTasks !== undefined && started >= spec.maxTasks) return;
      const task = spec.next();
      if (!task) {
        samples.exhausted = true;
        return;
      }
      started++;
      const begin = performance.now();
      try {
        await task(send);
        samples.latenciesMs.push(performance.now() - begin);
        samples.ok++;
      } catch (err) {
        samples.errors++;
        if (samples.firstErrors.length < 5) samples.firstErrors.push(err instanceof Error ? err.message : String(err));
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: spec.connections }, connection));
  } finally {
    samples.seconds = (performance.now() - t0) / 1000;
    await Promise.all(clients.map((c) => c.close()));
  }
  return samples;
}

/** Pools several rounds of the same measurement (alternated with others to share the noise). */
export function summarize(rounds: readonly Samples[]): Summary {
  const latencies = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const ok = rounds.reduce((n, r) => n + r.ok, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  return {
    tasks: ok,
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    seconds,
    rate: seconds > 0 ? ok / seconds : 0,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    exhausted: rounds.some((r) => r.exhausted),
    firstErrors: rounds.flatMap((r) => r.firstErrors).slice(0, 5),
    sliceRates: rounds.map((r) => (r.seconds > 0 ? r.ok / r.seconds : 0)),
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Throws unless the answer has this status (and, for JSON errors, this code). */
export function expectAnswer(answer: Answer, status: number, what: string, code?: string): void {
  if (answer.status === status && (code === undefined || answer.body.includes(`"${code}"`))) return;
  throw new Error(
    `${what}: HTTP ${answer.status} (expected ${status}${code ? ` ${code}` : ""}) ${answer.body.slice(0, 160)}`,
  );
}

/**
 * Client addresses for the per-IP limit (30 per minute per address): each one is used a bounded
 * number of times. Documentation ranges only (RFC 5737, RFC 3849), and only as the
 * CF-Connecting-IP header; every connection goes to 127.0.0.1.
 */
export class ClientAddresses {
  private address = "";
  private left = 0;
  private issued = 0;
  private readonly usesPerAddress: number;
  constructor(usesPerAddress: number) {
    this.usesPerAddress = usesPerAddress;
  }

  next(uses = 1): string {
    if (this.left < uses) {
      this.address = this.fresh();
      this.left = this.usesPerAddress;
    }
    this.left -= uses;
    return this.address;
  }

  get count(): number {
    return this.issued;
  }

  private fresh(): string {
    const n = this.issued++;
    const v4 = ["192.0.2", "198.51.100", "203.0.113"];
    if (n < v4.length * 254) return `${v4[Math.floor(n / 254)]}.${(n % 254) + 1}`;
    const group = () => Math.floor(Math.random() * 0x10000).toString(16);
    return `2001:db8:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}`;
  }
}
