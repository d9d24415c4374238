/**
 * @module test/bench/probe/measure
 * What the benchmark measures without load: the work each request does (the probe Worker's
 * counting bindings), the password hash's cost inside workerd, and the bundle's upload size.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../../e2e/harness.ts";
import { wrongCodeAt } from "../../helpers/authenticator.ts";
import { StepBook } from "../ours.ts";
import type { Work } from "../report.ts";
import { devEncryptionKeys, type ProjectCrypto, type Seeded, seedD1 } from "../seed.ts";
import { note, start, stop } from "../servers.ts";

const run = promisify(execFile);

/** The product app behind counting bindings: D1 round trips and DO calls per request, and scrypt's cost. */
export async function probe(pc: ProjectCrypto, passwordHash: string, password: string, outdir: string) {
  let seeded: Seeded | undefined;
  const worker = await freezeWorker(join(ROOT, "test", "bench", "probe", "wrangler.toml"), outdir);
  const server = await start({
    config: worker.config,
    args: ["--no-bundle", "--env-file", join(ROOT, ".dev.vars")],
    onOutput: note("probe"),
    beforeStart: async (dir) => {
      seeded = await seedD1(dir, pc, devEncryptionKeys(ROOT), {
        accounts: 1,
        workingSet: 1,
        challengesPerAccount: 2,
        sessions: 1,
        passwordHash,
        now: Date.now(),
      });
    },
  });
  try {
    const account = seeded!.working[0]!;
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${server.origin}${path}`, {
        method,
        headers: {
          "cf-connecting-ip": "192.0.2.250",
          ...headers,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      await res.arrayBuffer();
      const list = (name: string) => (res.headers.get(name) || "").split(",").filter(Boolean);
      return { status: res.status, d1: list("x-bench-d1"), durableObjects: list("x-bench-do") } satisfies Work;
    };
    const mfa = (otp: string) => call("POST", "/auth/password/mfa", { otp, challenge: account.challenges.pop() });
    const work = {
      valid: await mfa(StepBook.claimCode(account)),
      wrong: await mfa(wrongCodeAt(account.secret, Date.now())),
      security: await call("GET", "/api/v1/account/security", undefined, {
        authorization: `Bearer ${seeded!.sessionTokens[0]}`,
      }),
      password: await call("POST", "/auth/password", { email: account.email, password }),
      health: await call("GET", "/health"),
    };
    const hash = await hashCost(server.origin, "/bench/scrypt");
    return { work, hash };
  } finally {
    await stop(server);
  }
}

/** The fastest of 3 timed requests of 2 hashes each, per hash: the closest to CPU time on a busy machine. */
export async function hashCost(origin: string, path: string): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const res = await fetch(`${origin}${path}?n=2`);
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    best = Math.min(best, (performance.now() - started) / 2);
  }
  return best;
}

export interface FrozenWorker {
  /** A wrangler config in `outdir` whose `main` is the bundle: serve it with `--no-bundle`. */
  config: string;
  totalKiB: number;
  gzipKiB: number;
}

/**
 * Bundles a Worker once with `wrangler deploy --dry-run --outdir` (which prints the upload size)
 * and writes a copy of its config that serves that bundle. wrangler dev on the copy with
 * `--no-bundle` measures a fixed build: edits to src/ during the run (other people work in this
 * tree) cannot rebuild and restart the Worker mid-measurement.
 */
export async function freezeWorker(config: string, outdir: string): Promise<FrozenWorker> {
  const wrangler = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const { stdout, stderr } = await run(
    process.execPath,
    [wrangler, "deploy", "--dry-run", "--config", config, "--outdir", outdir],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" } },
  );
  const match = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(stdout + stderr);
  if (!match) throw new Error(`no upload size in wrangler's output:\n${stdout}${stderr}`);
  const original = await readFile(config, "utf8");
  if (!/^main\s*=.*$/m.test(original)) throw new Error(`${config} has no main = line`);
  const bundles = (await readdir(outdir)).filter((f) => f.endsWith(".js"));
  if (bundles.length !== 1) throw new Error(`expected one bundle in ${outdir}, found ${bundles.join(", ")}`);
  const frozen = join(outdir, "wrangler.toml");
  await writeFile(
    frozen,
    original
      .replace(/^main\s*=.*$/m, `main = ${JSON.stringify(bundles[0])}`)
      .replace(/^migrations_dir\s*=.*$/m, `migrations_dir = ${JSON.stringify(join(ROOT, "migrations"))}`),
  );
  return { config: frozen, totalKiB: Number(match[1]), gzipKiB: Number(match[2]) };
}
