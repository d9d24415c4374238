/**
 * `npm run bench:otp`: TOTP verifies per second for our verifier, three peers and the raw
 * WebCrypto ceiling, inside workerd (a bench-only `wrangler dev` on 127.0.0.1) and in Node 22.
 * Prints a markdown table. Starts wrangler in its own process group and stops every process of
 * it by PID afterwards. A benchmark, never a test: quote the ratios, not the absolute numbers.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, stop as stopEsbuild } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const IMPLEMENTATIONS = ["ours", "otplib", "epic-web", "oslojs", "ceiling"];
const ROUNDS = 7;
/** Each timed batch is sized to take about this long, so timer resolution and request overhead vanish. */
const TARGET_BATCH_MS = 400;
const CALIBRATION_N = 500;
const STARTUP_TIMEOUT_MS = 60_000;

let wrangler; // { child, output, exited } while a bench-only wrangler dev runs

main().catch(async (error) => {
  console.error(error instanceof Error ? error.stack : error);
  await stopWrangler().catch((stopError) => console.error(stopError));
  process.exitCode = 1;
});

for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
]) {
  process.on(signal, async () => {
    await stopWrangler().catch((stopError) => console.error(stopError));
    process.exit(code);
  });
}

async function main() {
  const started = new Date();
  console.error("workerd: starting a bench-only wrangler dev on 127.0.0.1 …");
  const workerd = await benchWorkerd();
  console.error("Node 22: bundling and measuring …");
  const node = await benchNode();
  console.log(await renderTable(started, workerd, node));
}

/* ---------------- workerd, through a bench-only `wrangler dev` ---------------- */

async function benchWorkerd() {
  const port = await freePort();
  const inspectorPort = await freePort();
  wrangler = startWrangler(port, inspectorPort);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(`${base}/health`);
    expectSane("workerd", await getJson(`${base}/check`));
    let wallMs = 0;
    let isolateMs = 0;
    const result = await measure(async (impl, n, start) => {
      const t0 = performance.now();
      const body = await getJson(`${base}/run?impl=${impl}&n=${n}&start=${start}`);
      wallMs += performance.now() - t0;
      isolateMs += body.elapsedMs;
      return body.elapsedMs;
    });
    // performance.now() in production workerd only advances on I/O; locally it must track compute.
    result.clockCheck = isolateMs / wallMs;
    await stopWrangler();
    return result;
  } catch (error) {
    // Stop first, but report the failure that brought us here rather than any error from stopping.
    await stopWrangler().catch((stopError) => console.error(stopError));
    throw error;
  }
}

function startWrangler(port, inspectorPort) {
  const args = [
    path.join(root, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--config",
    path.join(here, "wrangler.toml"),
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--log-level",
    "warn",
    "--show-interactive-dev-session=false",
  ];
  // detached: a new process group (setsid), so wrangler and the workerd it spawns can be found and stopped together.
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" },
  });
  const output = [];
  child.stdout.on("data", (chunk) => output.push(String(chunk)));
  child.stderr.on("data", (chunk) => output.push(String(chunk)));
  return { child, output, exited: once(child, "exit") };
}

async function waitUntilServing(url) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (wrangler.child.exitCode !== null) throw new Error(`wrangler dev exited:\n${wrangler.output.join("")}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`wrangler dev did not answer within ${STARTUP_TIMEOUT_MS} ms:\n${wrangler.output.join("")}`);
}

/** SIGTERM to wrangler's process group, then makes sure no process it started survives (by PID). */
async function stopWrangler() {
  if (!wrangler) return;
  const { child, exited } = wrangler;
  wrangler = undefined;
  const started = [child.pid, ...descendantsOf(child.pid)];
  if (child.exitCode === null) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // the group is already gone
    }
    await Promise.race([exited, sleep(10_000, { unref: true })]); // unref: a timely exit must not wait 10 s
  }
  await sleep(300);
  let survivors = started.filter(isAlive);
  if (survivors.length > 0) console.error(`still running after SIGTERM: ${describe(survivors)}`);
  for (const pid of survivors) process.kill(pid, "SIGKILL");
  if (survivors.length > 0) await sleep(300);
  survivors = started.filter(isAlive);
  if (survivors.length > 0) throw new Error(`processes still running after stop: ${survivors.join(", ")}`);
  console.error(`stopped wrangler dev and its ${started.length - 1} child process(es): ${started.join(", ")}`);
}

function describe(pids) {
  return execFileSync("ps", ["-o", "pid,stat,cmd", "-p", pids.join(",")], { encoding: "utf8" });
}

function descendantsOf(pid) {
  const table = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Running or stopped, but not a zombie waiting to be reaped by its parent. */
function isAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/* ---------------- Node 22, same code bundled for Node ---------------- */

async function benchNode() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "otp-bench-"));
  try {
    const outfile = path.join(dir, "bench.mjs");
    await build({
      entryPoints: [path.join(here, "bench.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      outfile,
      logLevel: "warning",
    });
    await stopEsbuild(); // ends esbuild's service process now, so it is reaped by us, not left to init
    const bench = await import(pathToFileURL(outfile).href);
    expectSane("Node", await bench.sanityCheck());
    return await measure((impl, n, start) => bench.timeVerifies(impl, n, start));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/* ---------------- measurement and report ---------------- */

/** Warm-up and calibration, then ROUNDS rounds in rotating order; the median rate per implementation. */
async function measure(runBatch) {
  const batch = {};
  for (const impl of IMPLEMENTATIONS) {
    await runBatch(impl, CALIBRATION_N, 0); // warm-up: JIT, key caches, lazy imports
    const ms = await runBatch(impl, CALIBRATION_N, CALIBRATION_N);
    batch[impl] = Math.min(200_000, Math.max(CALIBRATION_N, Math.round((CALIBRATION_N * TARGET_BATCH_MS) / ms)));
  }
  const rates = Object.fromEntries(IMPLEMENTATIONS.map((impl) => [impl, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = IMPLEMENTATIONS.map((_, i) => IMPLEMENTATIONS[(i + round) % IMPLEMENTATIONS.length]);
    for (const impl of order) {
      const n = batch[impl];
      const ms = await runBatch(impl, n, (round * 7919) % 1000);
      rates[impl].push((n * 1000) / ms);
    }
  }
  const summary = {};
  for (const impl of IMPLEMENTATIONS) {
    const sorted = rates[impl].toSorted((a, b) => a - b);
    summary[impl] = {
      median: sorted[Math.floor(sorted.length / 2)],
      min: sorted[0],
      max: sorted.at(-1),
      n: batch[impl],
    };
  }
  return { summary };
}

function expectSane(runtime, check) {
  const broken = IMPLEMENTATIONS.filter((impl) => check[impl] !== true);
  if (broken.length > 0) throw new Error(`${runtime}: these verifiers failed the sanity check: ${broken.join(", ")}`);
}

async function renderTable(started, workerd, node) {
  const version = async (pkg) =>
    JSON.parse(await readFile(path.join(root, "node_modules", pkg, "package.json"), "utf8")).version;
  const labels = {
    ours: "ours — `verifyTotp` (src/otp)",
    otplib: `otplib ${await version("otplib")} \`verify\``,
    "epic-web": `@epic-web/totp ${await version("@epic-web/totp")} \`verifyTOTP\``,
    oslojs: `@oslojs/otp ${await version("@oslojs/otp")} \`verifyTOTPWithGracePeriod\``,
    ceiling: "ceiling — raw crypto.subtle (import + 3 signs)",
  };
  const fmt = (x) => Math.round(x).toLocaleString("en-US");
  const spread = (s) => `±${Math.round(((s.max - s.min) / 2 / s.median) * 100)}%`;
  const ratio = (s, ours) => `${(s.median / ours.median).toFixed(2)}×`;
  const cpus = os.cpus();
  const lines = [
    `### TOTP verify throughput — ${started.toISOString()}`,
    "",
    `Wrong 6-digit SHA-1 code, window ±1 (3 HMACs per verify), 1,000 random 20-byte secrets in rotation; ` +
      `median of ${ROUNDS} rounds after warm-up, each batch sized to ~${TARGET_BATCH_MS} ms. ` +
      `"vs ours" = that implementation's rate ÷ ours (above 1 = faster than ours).`,
    `Machine: ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}; Node ${process.versions.node}; ` +
      `wrangler ${await version("wrangler")}, workerd ${await version("workerd")}.`,
    "",
    "| implementation | workerd verifies/s | spread | vs ours | Node 22 verifies/s | spread | vs ours |",
    "|---|--:|--:|--:|--:|--:|--:|",
  ];
  for (const impl of IMPLEMENTATIONS) {
    const w = workerd.summary[impl];
    const n = node.summary[impl];
    lines.push(
      `| ${labels[impl]} | ${fmt(w.median)} | ${spread(w)} | ${ratio(w, workerd.summary.ours)} | ` +
        `${fmt(n.median)} | ${spread(n)} | ${ratio(n, node.summary.ours)} |`,
    );
  }
  lines.push(
    "",
    `In-isolate time was ${(workerd.clockCheck * 100).toFixed(0)}% of request wall time ` +
      "(close to 100% means performance.now() tracked the compute).",
    "Peers: otplib uses pure-JS @noble hashes; @oslojs/otp pure-JS SHA-1; @epic-web/totp WebCrypto with one key import per step.",
  );
  return lines.join("\n");
}

/* ---------------- helpers ---------------- */

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

function sleep(ms, { unref = false } = {}) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });
}
