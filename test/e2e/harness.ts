/**
 * @module e2e/harness
 * The browser tests' world: `wrangler dev` on a free loopback port with throw-away local state,
 * Debian's Chromium driven by playwright-core, and the real clients a person would use
 * (`zbarimg` as the phone camera, `oathtool` as the authenticator app).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type BrowserContext, chromium, type Page } from "playwright-core";

const run = promisify(execFile);

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ARTIFACTS = join(ROOT, "test-artifacts", "e2e");
export const README_SHOTS = join(ROOT, "test", "e2e", "readme");

/** A phone-width viewport: the pages must work here without horizontal scrolling. */
export const PHONE = { width: 420, height: 860 } as const;

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Asks the kernel for a free loopback port (closed again before wrangler binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface DevServer {
  origin: string;
  pid: number;
  /** The `--persist-to` directory (removed by stop()). */
  persistTo: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True while any process of the group led by `pid` is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(child: ChildProcess, pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (!groupAlive(pid)) return true;
    }
    await sleep(100);
  }
  return !groupAlive(pid);
}

/** Optional knobs for other callers (the benchmark); the browser tests use the defaults. */
export interface DevServerOptions {
  /** A bench-only Worker's wrangler config instead of the project's wrangler.toml. */
  config?: string;
  /** Run config/dev-setup.mjs (dev key, this project's D1 migrations) first; default true. */
  devSetup?: boolean;
  /** Runs on the fresh state directory after the setup, before wrangler dev starts (e.g. seeding D1). */
  beforeStart?: (persistTo: string) => Promise<void>;
  /** Extra `wrangler dev` arguments. */
  args?: readonly string[];
  /** Receives wrangler's and workerd's output as it arrives (warnings and errors at `--log-level warn`). */
  onOutput?: (text: string) => void;
}

/**
 * Starts `wrangler dev` in its own session (setsid via `detached`) so that stopping it can signal
 * the whole process group: wrangler, workerd and esbuild together, with no orphan left behind.
 * The D1 migrations are applied first to a fresh `--persist-to` directory.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const persistTo = await mkdtemp(join(tmpdir(), "edge-mfa-e2e-state-"));
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    EDGE_MFA_PERSIST_TO: persistTo,
    CI: "true",
  };
  try {
    // process.execPath is the Node 22 that `npm run` put first on PATH; plain `node` may be older.
    if (options.devSetup !== false) {
      await run(process.execPath, [join(ROOT, "config", "dev-setup.mjs")], { cwd: ROOT, env });
    }
    await options.beforeStart?.(persistTo);
  } catch (err) {
    await rm(persistTo, { recursive: true, force: true });
    throw err;
  }

  const [port, inspectorPort] = [await freePort(), await freePort()];
  const wrangler = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const args = [
    ...[wrangler, "dev", "--ip", "127.0.0.1", "--port", String(port)],
    ...(options.config ? ["--config", options.config] : []),
    ...["--inspector-ip", "127.0.0.1", "--inspector-port", String(inspectorPort)],
    ...["--persist-to", persistTo, "--log-level", "warn", "--show-interactive-dev-session=false"],
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    options.onOutput?.(chunk.toString());
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    options.onOutput?.(chunk.toString());
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("wrangler dev did not start");

  const stop = async () => {
    if (groupAlive(pid)) process.kill(-pid, "SIGTERM");
    if (!(await waitForExit(child, pid, 10_000)) && groupAlive(pid)) {
      process.kill(-pid, "SIGKILL");
      await waitForExit(child, pid, 5_000);
    }
    await rm(persistTo, { recursive: true, force: true });
    if (groupAlive(pid)) throw new Error(`wrangler dev's process group ${pid} outlived SIGKILL`);
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    // A build error leaves wrangler waiting for a file change; no point waiting for it.
    if (child.exitCode !== null || /Build failed/.test(output)) break;
    try {
      const res = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return { origin, pid, persistTo, stop };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`wrangler dev did not answer on ${origin}/health:\n${output}`);
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Debian's Chromium with a fresh profile directory, removed again on close. */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), "edge-mfa-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: PHONE,
    deviceScaleFactor: 1,
    colorScheme: "light",
    locale: "en-US",
    timezoneId: "UTC",
  });
  // Server-rendered pages answer in milliseconds; fail a step quickly rather than at 30 s.
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** What a phone camera reads from a QR code image: the raw text of its first symbol. */
export async function decodeQr(pngPath: string): Promise<string> {
  const { stdout } = await run("zbarimg", ["--raw", "-q", pngPath]);
  return stdout.trim();
}

/** What an authenticator app shows for `secret` (base32) at time `at` (ms since the epoch). */
export async function totpAt(secret: string, at: number): Promise<string> {
  const now = `${new Date(at).toISOString().slice(0, 19)}Z`;
  const { stdout } = await run("oathtool", ["--totp", "-b", "--now", now, secret]);
  return stdout.trim();
}
