/**
 * One hostile case end to end: build the request (identity, headers, body, query), snapshot the
 * stored state, send it through the Worker, check the answer's invariants and that nothing but
 * what the answer allows by design was written. Counts cases and statuses for the summary.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { ORIGIN } from "./api";
import {
  type Answer,
  captureState,
  caseIp,
  caseLimiters,
  expectOnlyAllowedChanges,
  fillPath,
  loadOperations,
  type Operation,
  readAnswer,
  type State,
  seededLimiters,
  seedWorld,
  type World,
} from "./hostile";
import { hostilePathSegment } from "./hostile-values";

/** Who the request claims to be. Seeded identities are real sessions, sent as bearer or cookie. */
export type Identity =
  | { kind: "none" }
  | { kind: "plain-bearer" }
  | { kind: "plain-cookie" }
  | { kind: "enrolled-bearer" }
  | { kind: "authorization"; value: string }
  | { kind: "cookie"; value: string };

export const anonymousOrPlain: fc.Arbitrary<Identity> = fc.constantFrom<Identity>(
  { kind: "none" },
  { kind: "plain-bearer" },
  { kind: "plain-cookie" },
);

/** Path parameters: sometimes a real strategy, mostly hostile. */
export const pathParams = fc.record({
  strategy: fc.oneof(fc.constantFrom("password", "link"), hostilePathSegment),
  id: hostilePathSegment,
});

export interface CaseSpec {
  op: Operation;
  identity: Identity;
  pathParams?: Record<string, string>;
  query?: string;
  headers?: Record<string, string>;
  /** Overrides CF-Connecting-IP (a hostile value); otherwise a fresh address is used. */
  ip?: string;
  contentType?: string;
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
  /** The parsed body, when there is one, to find the first-factor key of an email it carries. */
  parsed?: unknown;
}

export const stats = { cases: 0, byStatus: new Map<string, number>() };

function identityHeaders(world: World, identity: Identity): Record<string, string> {
  switch (identity.kind) {
    case "none":
      return {};
    case "plain-bearer":
      return { Authorization: `Bearer ${world.plain.token}` };
    case "plain-cookie":
      return { Cookie: `__Host-session=${world.plain.token}` };
    case "enrolled-bearer":
      return { Authorization: `Bearer ${world.enrolled.token}` };
    case "authorization":
      return { Authorization: identity.value };
    case "cookie":
      return { Cookie: identity.value };
  }
}

/** The limiter key the Worker derives from a CF-Connecting-IP value (http/services.ts). */
function limiterIp(header: string | undefined): string {
  const ip = header?.trim();
  if (!ip) return "unknown";
  return /^[0-9A-Fa-f:.]{2,45}$/.test(ip) ? ip.toLowerCase() : "invalid";
}

export function buildRequest(world: World, spec: CaseSpec, ip: string): Request {
  const headers = new Headers({ "CF-Connecting-IP": ip, ...identityHeaders(world, spec.identity), ...spec.headers });
  if (spec.contentType !== undefined) headers.set("Content-Type", spec.contentType);
  const hasBody = spec.body !== undefined && spec.op.method !== "GET";
  const url = `${ORIGIN}${fillPath(spec.op, spec.pathParams ?? {})}${spec.query ?? ""}`;
  return new Request(url, {
    method: spec.op.method,
    headers,
    body: hasBody ? spec.body : undefined,
    // A stream body needs half-duplex; workerd accepts it without the field but types want it.
    ...(spec.body instanceof ReadableStream ? { duplex: "half" } : {}),
    redirect: "manual",
  } as RequestInit);
}

/**
 * The state after the previous case. Cases of a file run one at a time and nothing else writes
 * between them, so it is the next case's "before" for D1 and the seeded Limiter objects.
 */
let previous: State | undefined;

/** Forget the cached state (call after anything but runCase touched storage). */
export function forgetState(): void {
  previous = undefined;
}

/** Sends one case and checks every invariant; returns the answer for property-specific checks. */
export async function runCase(world: World, spec: CaseSpec): Promise<Answer> {
  // Signing the seeded session out is what logout is for, not a hostile outcome: such cases go anonymous.
  if (spec.op.key === "POST /auth/logout" && /^(plain|enrolled)-/.test(spec.identity.kind))
    spec.identity = { kind: "none" };
  const ip = spec.ip ?? caseIp();
  const shared = seededLimiters(world);
  const own = (await caseLimiters(limiterIp(ip), spec.parsed)).filter((n) => !shared.includes(n));
  const seeded = previous ?? (await captureState(shared));
  const mine = await captureState(own, { tables: false });
  const before: State = { tables: seeded.tables, limiters: { ...seeded.limiters, ...mine.limiters } };
  const request = buildRequest(world, spec, ip);
  const res = await exports.default.fetch(request);
  const answer = await readAnswer(res, {
    routed: new URL(request.url).pathname === fillPath(spec.op, spec.pathParams ?? {}),
  });
  const after = await captureState([...shared, ...own]);
  expectOnlyAllowedChanges(spec.op, answer, before, after);
  previous = { tables: after.tables, limiters: Object.fromEntries(shared.map((n) => [n, after.limiters[n]!])) };
  stats.cases++;
  const key = `${answer.status}${answer.code ? ` ${answer.code}` : ""}`;
  stats.byStatus.set(key, (stats.byStatus.get(key) ?? 0) + 1);
  return answer;
}

/** fast-check settings shared by the suite; the seed and path of a failure are printed by fast-check. */
export const runs = (numRuns: number): fc.Parameters<unknown> => ({ numRuns });

export function summary(file: string): string {
  const top = [...stats.byStatus.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`);
  return `${file}: ${stats.cases} hostile cases; ${top.join(", ")}`;
}

/**
 * What every fuzz file starts from: the documented operations (those that take a body, and the
 * unsafe ones), a seeded world, and a clean record of state.
 */
export async function hostileSetup(): Promise<{
  ops: Operation[];
  bodyOps: Operation[];
  unsafeOps: Operation[];
  world: World;
}> {
  const ops = await loadOperations();
  const world = await seedWorld();
  forgetState();
  return {
    ops,
    // A GET carries no body: the body properties drive every operation that can take one.
    bodyOps: ops.filter((op) => op.bodyFields !== undefined),
    unsafeOps: ops.filter((op) => op.method !== "GET"),
    world,
  };
}
