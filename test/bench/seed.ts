/**
 * @module test/bench/seed
 * Seeds a fresh local D1 database before `wrangler dev` opens it: rows written straight into the
 * SQLite file with Node's node:sqlite, secrets sealed by the project's own keyring code (AES-GCM,
 * the `.dev.vars` key, AAD bound to account and credential) — 100,000 accounts in seconds,
 * without hashing a password per account.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { base32 } from "@scure/base";
import { build, stop as stopEsbuild } from "esbuild";

export type ProjectCrypto = typeof import("./project-crypto.ts");

/** Bundles test/bench/project-crypto.ts for Node (src/ imports are extensionless) and loads it. */
export async function loadProjectCrypto(root: string, tmp: string): Promise<ProjectCrypto> {
  const outfile = join(tmp, "project-crypto.mjs");
  await build({
    entryPoints: [join(root, "test", "bench", "project-crypto.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    outfile,
    logLevel: "warning",
  });
  await stopEsbuild(); // ends esbuild's service process now, so nothing of it outlives the bench
  return import(pathToFileURL(outfile).href);
}

/** MFA_ENCRYPTION_KEYS from .dev.vars (config/dev-setup.mjs writes it on a fresh clone). */
export function devEncryptionKeys(root: string): string {
  const line = readFileSync(join(root, ".dev.vars"), "utf8")
    .split("\n")
    .find((l) => l.startsWith("MFA_ENCRYPTION_KEYS="));
  if (!line) throw new Error(".dev.vars has no MFA_ENCRYPTION_KEYS (config/dev-setup.mjs writes one)");
  return line.slice("MFA_ENCRYPTION_KEYS=".length).trim();
}

/** The local D1 database file that `wrangler d1 migrations apply --local --persist-to DIR` created. */
export function d1File(persistTo: string): string {
  const dir = join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(", ") || "none"}`);
  return join(dir, files[0]!);
}

export interface BenchAccount {
  id: string;
  email: string;
  /** Base32 TOTP secret, as an authenticator app holds it. */
  secret: string;
  /** Unused challenge tokens bound to this account (strategy "password"). */
  challenges: string[];
  /** The last TOTP step this client presented (the credential starts at step 0). */
  lastStep: number;
  /** Wrong codes sent so far (kept below the per-account lock). */
  failures: number;
}

export interface SeedSpec {
  accounts: number;
  /** Accounts whose secrets and challenges the load uses (a random sample when below `accounts`). */
  workingSet: number;
  challengesPerAccount: number;
  /** aal-2 sessions for the first working accounts (for GET /api/v1/account/security). */
  sessions: number;
  /** One `$scrypt$…` string shared by every account, or null for no password. */
  passwordHash: string | null;
  now: number;
}

export interface Seeded {
  working: BenchAccount[];
  sessionTokens: string[];
  /** D1 file growth per account (account + credential rows and their indexes), in bytes. */
  bytesPerAccount: number;
  seconds: number;
}

const CHUNK = 2_000;

export async function seedD1(persistTo: string, pc: ProjectCrypto, keys: string, spec: SeedSpec): Promise<Seeded> {
  const started = performance.now();
  const keyring = await pc.importKeyring(keys);
  const working = new Set(sample(spec.accounts, spec.workingSet));
  const { now } = spec;
  const db = new DatabaseSync(d1File(persistTo));
  const insertAccount = db.prepare("INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)");
  const insertCredential = db.prepare(
    `INSERT INTO mfa_credentials (id, account_id, kind, ciphertext, key_id, algorithm, digits, period_seconds,
      last_used_step, confirmed_at, created_at) VALUES (?, ?, 'totp', ?, ?, 'SHA1', 6, 30, 0, ?, ?)`,
  );
  const insertChallenge = db.prepare(
    "INSERT INTO mfa_challenges (token_hash, account_id, strategy, expires_at, created_at) VALUES (?, ?, 'password', ?, ?)",
  );
  const insertSession = db.prepare(
    `INSERT INTO sessions (id, token_hash, account_id, aal, created_at, last_seen_at, expires_at, ip, user_agent)
      VALUES (?, ?, ?, 2, ?, ?, ?, '192.0.2.1', 'edge-mfa bench')`,
  );
  const out: BenchAccount[] = [];
  const sessionTokens: string[] = [];
  const pages = () => (db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count;
  const pageSize = (db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size;
  let bytesPerAccount = 0;
  try {
    db.exec("BEGIN");
    const pagesBefore = pages();
    for (let first = 0; first < spec.accounts; first += CHUNK) {
      const indices = Array.from({ length: Math.min(CHUNK, spec.accounts - first) }, (_, k) => first + k);
      const rows = await Promise.all(
        indices.map(async (i) => {
          const id = pc.randomId();
          const credentialId = pc.randomId();
          const secret = crypto.getRandomValues(new Uint8Array(pc.authConfig.totp.secretBytes));
          const sealed = await pc.seal(keyring, secret, pc.totpSecretAad(id, credentialId));
          return { i, id, credentialId, secret, sealed };
        }),
      );
      for (const r of rows) {
        const email = `bench-${r.i}@example.com`;
        insertAccount.run(r.id, email, spec.passwordHash, now);
        insertCredential.run(r.credentialId, r.id, r.sealed.ciphertext, r.sealed.keyId, now, now);
        if (!working.has(r.i)) continue;
        out.push({ id: r.id, email, secret: base32.encode(r.secret), challenges: [], lastStep: 0, failures: 0 });
      }
    }
    // Accounts and credentials with their indexes, before challenges and sessions are added.
    bytesPerAccount = ((pages() - pagesBefore) * pageSize) / spec.accounts;
    for (const account of out) {
      for (let c = 0; c < spec.challengesPerAccount; c++) {
        const token = pc.randomToken();
        insertChallenge.run(await pc.sha256Hex(token), account.id, now + 3_600_000, now);
        account.challenges.push(token);
      }
      if (sessionTokens.length < spec.sessions) {
        const token = pc.randomToken();
        insertSession.run(pc.randomId(), await pc.sha256Hex(token), account.id, now, now, now + 12 * 3_600_000);
        sessionTokens.push(token);
      }
    }
    db.exec("COMMIT");
  } finally {
    db.close();
  }
  // Shuffled, so consecutive requests touch accounts scattered through the tables.
  shuffle(out);
  return { working: out, sessionTokens, bytesPerAccount, seconds: (performance.now() - started) / 1000 };
}

/** `k` distinct indices below `n`, at random. */
function sample(n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (k >= n) return all;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(Math.random() * (n - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, k);
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
