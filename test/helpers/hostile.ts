/**
 * The harness of the hostile-input suite: the operations of /openapi.json, one request sent
 * through the Worker, the invariants of every answer, and the "nothing written" check that
 * compares every D1 table and the relevant Limiter objects before and after.
 */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { firstFactorKey, normalizeEmail } from "../../src/auth/email";
import { ERRORS, type ErrorCode } from "../../src/errors";
import { limiterName } from "../../src/limits/client";
import type { LimiterSnapshot } from "../../src/limits/limiter";
import { ApiClient, freshEmail, ORIGIN } from "./api";

export interface Operation {
  method: string;
  /** The documented path, e.g. `/auth/{strategy}/mfa`. */
  path: string;
  key: string;
  pathParams: string[];
  /** Fields of the JSON request body; undefined when the operation takes none. */
  bodyFields?: string[];
  /** Needs a user session (bearer token or session cookie). */
  secured: boolean;
  /** Needs an operator's bearer token instead (404 while the deployment has none configured). */
  operator: boolean;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}
interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string; properties?: Record<string, unknown> } }> };
  security?: unknown[];
}

export async function loadOperations(): Promise<Operation[]> {
  const doc = (await (await exports.default.fetch(`${ORIGIN}/openapi.json`)).json()) as OpenApiDoc;
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const schema = op.requestBody?.content["application/json"]?.schema;
      const resolved = schema?.$ref ? doc.components.schemas[schema.$ref.split("/").pop()!] : schema;
      const schemes = (op.security ?? []).flatMap((requirement) => Object.keys(requirement as object));
      ops.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        pathParams: (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name),
        bodyFields: op.requestBody ? Object.keys(resolved?.properties ?? {}) : undefined,
        secured: schemes.includes("sessionCookie"),
        operator: schemes.length > 0 && !schemes.includes("sessionCookie"),
      });
    }
  }
  return ops;
}

export const fillPath = (op: Operation, values: Record<string, string>) =>
  op.path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "x");

/**
 * Client addresses rotate through a pool: a rejected case takes no token, and the few by-design
 * cases that do spread over 64 buckets of 30 per minute. A warm pool keeps each case cheap.
 */
let ipCounter = 0;
export const caseIp = () => `2001:db8:f022::${((ipCounter++ % 64) + 1).toString(16)}`;

// ---- the answer ----

const STACK_TRACE = [
  /\n\s*at\s/,
  /\bat .*:\d+:\d+/,
  /\/src\//,
  /\.tsx?:\d/,
  /\.js:\d/,
  /node_modules/,
  /[A-Z]\w*Error:/,
];

export interface Answer {
  status: number;
  /** False when URL parsing rewrote the path (`%2e%2e`, `..`), so the request never reached the operation. */
  routed: boolean;
  code?: ErrorCode;
  text: string;
  location?: string;
}

/** Reads a response and asserts what every answer must satisfy, whatever was sent. */
export async function readAnswer(res: Response, { routed = true, unavailable = false } = {}): Promise<Answer> {
  const text = await res.text();
  const answer: Answer = { status: res.status, routed, text };
  // A 5xx is a bug — except 503 where the test made storage fail on purpose.
  if (unavailable && res.status === 503) expect(JSON.parse(text).error.code).toBe("TEMPORARILY_UNAVAILABLE");
  else expect(res.status, text).toBeLessThan(500);
  for (const frame of STACK_TRACE) expect(text).not.toMatch(frame);
  if (res.status >= 300 && res.status < 400) {
    answer.location = res.headers.get("Location") ?? "";
    // Redirects stay on this origin: a path, never `//host` or a scheme.
    expect(answer.location).toMatch(/^\/(?![/\\])/);
    const error = new URL(answer.location, ORIGIN).searchParams.get("error");
    if (error) {
      expect(Object.keys(ERRORS)).toContain(error);
      answer.code = error as ErrorCode;
    }
  }
  if (res.status >= 400) {
    expect(res.headers.get("Content-Type") ?? "").toMatch(/^application\/json/);
    const body = JSON.parse(text) as { error: { code: ErrorCode; message: string } };
    expect(Object.keys(body)).toEqual(["error"]);
    expect(Object.keys(body.error).sort()).toEqual(["code", "message"]);
    expect(Object.keys(ERRORS)).toContain(body.error.code);
    expect(typeof body.error.message).toBe("string");
    expect(ERRORS[body.error.code][0]).toBe(res.status);
    answer.code = body.error.code;
  }
  return answer;
}

// ---- what was stored ----

export type Role = "ip" | "pw" | "mfa";

export interface State {
  tables: Record<string, string>;
  limiters: Record<string, LimiterSnapshot>;
}

let tableNames: string[] | undefined;

async function userTables(): Promise<string[]> {
  if (!tableNames) {
    const { results } = await env.DB.prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
       AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> 'd1_migrations' ORDER BY name`,
    ).all<{ name: string }>();
    tableNames = results.map((r) => r.name);
    expect(tableNames).toContain("sessions");
  }
  return tableNames;
}

/** Every row of every table (sessions without last_seen_at) and the named Limiter objects. */
export async function captureState(limiters: readonly string[], { tables: withTables = true } = {}): Promise<State> {
  const tables = withTables ? await userTables() : [];
  const [dumps, ...snaps] = await Promise.all([
    tables.length > 0 ? env.DB.batch(tables.map((t) => env.DB.prepare(`SELECT * FROM "${t}"`))) : [],
    ...limiters.map((name) => env.LIMITER.getByName(name).snapshot()),
  ]);
  const state: State = { tables: {}, limiters: {} };
  tables.forEach((t, i) => {
    // A valid session is touched at most once a minute on use (auth/sessions.ts): activity, not a write of the request.
    const rows = (dumps as D1Result<Record<string, unknown>>[])[i]!.results.map((row) =>
      t === "sessions" ? { ...row, last_seen_at: undefined } : row,
    );
    state.tables[t] = JSON.stringify(rows);
  });
  limiters.forEach((name, i) => {
    state.limiters[name] = snaps[i] as LimiterSnapshot;
  });
  return state;
}

const roleOf = (name: string): Role => name.slice(0, name.indexOf(":")) as Role;

const received = (role: Role, s: LimiterSnapshot) =>
  (role === "ip" ? s.ipBucket?.received : role === "pw" ? s.firstFactor?.received : s.secondFactor?.received) ?? 0;

type Part = Role | string;

/**
 * What a rejected request may change, by design. Everything not listed must stay byte-identical;
 * a request rejected as malformed (400, 401 UNAUTHENTICATED, 403 CSRF, 404, 413, 415) changes nothing.
 */
const BY_DESIGN: Partial<Record<ErrorCode, Part[]>> = {
  // A well-formed request takes an IP token before the service looks deeper (limits/ip.ts).
  RATE_LIMITED: ["ip"],
  AUTH_LINK_INVALID: ["ip"],
  EMAIL_TAKEN: ["ip"],
  MFA_ENROLLMENT_NOT_FOUND: ["ip"],
  MFA_SECRET_MISMATCH: ["ip"],
  MFA_STEP_UP_REQUIRED: ["ip"],
  // ... and a real challenge's exhausted cap is judged (and counted as received) by the account's Limiter.
  MFA_CHALLENGE_INVALID: ["ip", "mfa"],
  // A wrong password (sign-in or sudo) is a counted first-factor failure.
  AUTH_INVALID_CREDENTIALS: ["ip", "pw"],
  AUTH_RATE_LIMITED: ["ip", "pw"],
  SUDO_INVALID: ["pw", "mfa"],
  // A wrong code is a counted second-factor failure; the lock it may cause is audited.
  MFA_OTP_INVALID: ["ip", "mfa", "account_events"],
  MFA_LOCKED: ["ip", "mfa"],
};

/** What a successful answer may change: the operation's documented effect. */
const ON_SUCCESS: Record<string, Part[]> = {
  "POST /auth/signup": ["ip", "accounts", "sessions", "account_events"],
  "POST /auth/password": ["ip", "pw", "accounts", "sessions", "mfa_challenges", "account_events"],
  "POST /auth/link": ["ip", "sign_in_links", "outbox", "account_events"],
  "POST /auth/logout": ["sessions"],
  "GET /auth/link/callback": ["ip", "sign_in_links", "accounts", "sessions", "mfa_challenges", "account_events"],
  "POST /auth/{strategy}/mfa": ["ip", "mfa", "sessions", "mfa_challenges", "mfa_credentials", "recovery_codes"],
  "GET /api/v1/account/mfa": ["mfa_enrollments"],
  "PUT /api/v1/account/mfa": ["ip", "mfa", "mfa_enrollments", "mfa_credentials", "recovery_codes", "sessions"],
  "DELETE /api/v1/account/mfa": ["pw", "mfa", "mfa_credentials", "mfa_enrollments", "recovery_codes"],
  "POST /api/v1/account/mfa/recovery-codes": ["mfa", "recovery_codes", "mfa_credentials", "account_events"],
  "DELETE /api/v1/account/sessions/{id}": ["sessions"],
};

function allowedParts(op: Operation, answer: Answer): Set<Part> {
  if (answer.code) return new Set(BY_DESIGN[answer.code] ?? []);
  const parts = ON_SUCCESS[op.key] ?? [];
  return new Set(parts.includes("sessions") ? [...parts, "account_events"] : parts);
}

/** Asserts that only what the answer allows by design changed, and each counter by at most one. */
export function expectOnlyAllowedChanges(op: Operation, answer: Answer, before: State, after: State): void {
  const allowed = allowedParts(op, answer);
  const what = `${op.key} → ${answer.status} ${answer.code ?? ""}`;
  for (const [table, rows] of Object.entries(before.tables)) {
    if (!allowed.has(table)) expect(after.tables[table], `${what} wrote to ${table}`).toBe(rows);
  }
  for (const [name, snap] of Object.entries(before.limiters)) {
    const role = roleOf(name);
    if (!allowed.has(role)) {
      expect(after.limiters[name], `${what} changed Limiter ${name}`).toEqual(snap);
    } else {
      const delta = received(role, after.limiters[name]!) - received(role, snap);
      expect(delta, `${what} counted ${name} ${delta} times`).toBeLessThanOrEqual(1);
    }
  }
}

// ---- the seeded world ----

export interface Seeded {
  id: string;
  email: string;
  token: string;
  sessionId: string;
  pwKey: string;
}

export interface World {
  /** No authenticator; an aal-1 session. */
  plain: Seeded;
  /** A confirmed authenticator (base32 `secret`), an aal-2 session and an open sign-in challenge. */
  enrolled: Seeded & { challenge: string; secret: string };
}

async function seedAccount(client: ApiClient, email: string): Promise<Seeded> {
  const security = await client.json<{ profile: { id: string }; sessions: { id: string; current: boolean }[] }>(
    "GET",
    "/api/v1/account/security",
  );
  return {
    id: security.body.profile.id,
    email,
    token: client.token!,
    sessionId: security.body.sessions.find((s) => s.current)!.id,
    pwKey: limiterName.firstFactor(await firstFactorKey(normalizeEmail(email))),
  };
}

export async function seedWorld(): Promise<World> {
  const plainClient = new ApiClient();
  const { email: plainEmail } = await plainClient.signUp(freshEmail("hostile-plain"));
  const enrolledClient = new ApiClient();
  const { email } = await enrolledClient.signUp(freshEmail("hostile-mfa"));
  const { secret } = await enrolledClient.enroll();
  const enrolled = await seedAccount(enrolledClient, email);
  const signIn = new ApiClient();
  const challenge = (await signIn.signIn(email)).body.challenge;
  if (!challenge) throw new Error("seeding: no challenge for the enrolled account");
  return { plain: await seedAccount(plainClient, plainEmail), enrolled: { ...enrolled, challenge, secret } };
}

/**
 * The seeded accounts' Limiter objects every case compares: both second-factor objects (a plain
 * session can try to confirm an enrollment) and the enrolled account's first-factor object (its
 * sudo password). No generator sends the plain account's email, so its first-factor object is left out.
 */
export const seededLimiters = (world: World) => [
  world.enrolled.pwKey,
  limiterName.secondFactor(world.plain.id),
  limiterName.secondFactor(world.enrolled.id),
];

/** The Limiter objects only this case can touch: its client address and the email its body names. */
export async function caseLimiters(ip: string, body?: unknown): Promise<string[]> {
  const names = [limiterName.ip(ip)];
  const email = body && typeof body === "object" ? (body as Record<string, unknown>).email : undefined;
  if (typeof email === "string") names.push(limiterName.firstFactor(await firstFactorKey(normalizeEmail(email))));
  return names;
}
