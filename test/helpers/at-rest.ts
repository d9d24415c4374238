/**
 * Every secret a test saw (session, challenge and link tokens, TOTP secrets, recovery codes, the
 * password), and a scan of every D1 table for any of them in plaintext. ApiClient records what
 * the API hands out; each test file ends with `afterAll(expectNothingInPlaintextAtRest)`.
 */
import { env } from "cloudflare:workers";
import { base32, base64, base64nopad, base64url, base64urlnopad, hex } from "@scure/base";
import { expect } from "vitest";

export type SecretKind =
  | "session-token"
  | "challenge-token"
  | "link-token"
  | "totp-secret"
  | "recovery-code"
  | "password";

const seen = new Map<string, SecretKind>();

export function remember(kind: SecretKind, value: string | undefined | null): void {
  if (value) seen.set(value, kind);
}

/** Records the secrets in an API answer: tokens, challenges, secrets and recovery codes. */
export function rememberBody(body: unknown): void {
  if (!body || typeof body !== "object") return;
  const b = body as Record<string, unknown>;
  if (typeof b.token === "string") remember("session-token", b.token);
  if (typeof b.challenge === "string") remember("challenge-token", b.challenge);
  if (Array.isArray(b.recovery_codes)) for (const code of b.recovery_codes) remember("recovery-code", String(code));
  const mfa = b.mfa as Record<string, unknown> | undefined;
  if (mfa && typeof mfa === "object" && typeof mfa.secret === "string") remember("totp-secret", mfa.secret);
}

export function rememberCookies(res: Response): void {
  for (const header of res.headers.getSetCookie()) {
    const [pair = ""] = header.split(";");
    const [name = "", value = ""] = pair.split("=");
    if (name.endsWith("session")) remember("session-token", value);
    if (name.endsWith("mfa_challenge")) remember("challenge-token", value);
  }
}

const decodeBase32 = (s: string) => base32.decode(s.toUpperCase().padEnd(Math.ceil(s.length / 8) * 8, "="));

function tryDecode(decode: (s: string) => Uint8Array, s: string): Uint8Array | undefined {
  try {
    return decode(s);
  } catch {
    return undefined;
  }
}

function rawForms(bytes: Uint8Array | undefined): string[] {
  if (!bytes) return [];
  return [hex.encode(bytes), base64.encode(bytes), base64nopad.encode(bytes), base64url.encode(bytes)];
}

/** Every spelling of a secret that would count as plaintext (matching is case-insensitive). */
export function plaintextForms(kind: SecretKind, value: string): string[] {
  switch (kind) {
    case "totp-secret":
      return [value, value.toLowerCase(), ...rawForms(tryDecode(decodeBase32, value))];
    case "recovery-code":
      return [value, value.replace(/-/g, "")];
    case "session-token":
    case "challenge-token":
    case "link-token":
      return [value, ...rawForms(tryDecode(base64urlnopad.decode, value))];
    case "password":
      return [value];
  }
}

export interface Hit {
  table: string;
  column: string;
  kind: SecretKind;
}

export async function userTables(): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name",
  ).all<{ name: string }>();
  return results.map((r) => r.name);
}

const asText = (v: unknown): string =>
  v instanceof ArrayBuffer || ArrayBuffer.isView(v) || Array.isArray(v)
    ? hex.encode(new Uint8Array(v as ArrayLike<number>))
    : String(v);

/** Scans every row of every table for the given secrets (default: all recorded so far). */
export async function scanAtRest(secrets: ReadonlyMap<string, SecretKind> = seen): Promise<Hit[]> {
  const needles = [...secrets].map(([value, kind]) => ({
    kind,
    forms: [...new Set(plaintextForms(kind, value).map((form) => form.toLowerCase()))].filter((f) => f.length >= 8),
  }));
  const hits: Hit[] = [];
  for (const table of await userTables()) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${table}"`).all<Record<string, unknown>>();
    for (const row of results) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null) continue;
        const text = asText(value).toLowerCase();
        for (const { kind, forms } of needles) {
          // The development mailer's outbox holds the sign-in link by design (it is the mail that
          // was "sent"); only the link token is allowed there, and nowhere else.
          if (kind === "link-token" && table === "outbox") continue;
          if (forms.some((form) => text.includes(form))) hits.push({ table, column, kind });
        }
      }
    }
  }
  return hits;
}

/** How many secrets of each kind the scan covers, so a file can show it scanned something. */
export function rememberedKinds(): Record<SecretKind, number> {
  const counts = {
    "session-token": 0,
    "challenge-token": 0,
    "link-token": 0,
    "totp-secret": 0,
    "recovery-code": 0,
    password: 0,
  };
  for (const kind of seen.values()) counts[kind]++;
  return counts;
}

export async function expectNothingInPlaintextAtRest(): Promise<void> {
  expect(await scanAtRest()).toEqual([]);
}
