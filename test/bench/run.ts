/**
 * `npm run bench`: edge-mfa end to end through workerd (`wrangler dev --log-level warn`, fresh
 * local state, seeded D1) against the runtime's floor and against Better Auth on the same
 * machine, in one run. Prints one markdown table and writes test-artifacts/bench/results.json.
 * A benchmark, never a test: quote ratios from one run, not absolute numbers. All traffic goes to
 * 127.0.0.1; every loop is bounded in time and count; every server started is stopped (by
 * process group) before exit. BENCH_QUICK=1 shortens it to a smoke run (not for quoting).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { type DevServer, ROOT } from "../e2e/harness.ts";
import { ClientAddresses, type PhaseSpec, runPhase, type Samples, type Summary, summarize } from "./load.ts";
import { floorTasks, StepBook, securityTasks, signInFlowTasks, validCodeTasks, wrongCodeTasks } from "./ours.ts";
import { type PeerUser, peerFlowTasks, preparePeer } from "./peer/client.ts";
import { freezeWorker, hashCost, probe } from "./probe/measure.ts";
import { type Results, renderTable, verdicts } from "./report.ts";
import { devEncryptionKeys, loadProjectCrypto, type Seeded, seedD1 } from "./seed.ts";
import { leftovers, log, note, serverOutput, start, startedCount, stop, stopAll, stopOnSignals } from "./servers.ts";

/**
 * 10 keep-alive connections, closed loop: enough requests in flight to keep workerd's single
 * isolate thread busy (throughput plateaus at a few in flight), few enough that the client,
 * wrangler and workerd share the 2 cores without the client becoming the bottleneck.
 */
const CONNECTIONS = 10;
const QUICK = process.env.BENCH_QUICK === "1";
/** Each measurement runs in ROUNDS slices, alternated with the others, so machine noise hits all alike. */
const ROUNDS = 3;
const SLICE_SECONDS = QUICK ? 1 : 4;
const FLOW_SLICE_SECONDS = QUICK ? 2 : 7;
const SMALL = 1_000;
const LARGE = QUICK ? 10_000 : 100_000;
const WORKING_SET = 1_000;
const PEER_USERS = 40;
const PASSWORD = "bench passphrase for sign-in 1";
const OUT = join(ROOT, "test-artifacts", "bench");

const warm = (origin: string, next: PhaseSpec["next"], maxTasks: number) =>
  runPhase(origin, { connections: CONNECTIONS, seconds: 5, maxTasks, next });

const slice = (origin: string, next: PhaseSpec["next"], seconds = SLICE_SECONDS) =>
  runPhase(origin, { connections: CONNECTIONS, seconds, next });

/**
 * The Better Auth peer on its own wrangler dev, its schema and users prepared. If it cannot run,
 * the reason is reported in the table instead of a number.
 */
async function startPeer(): Promise<{ server: DevServer; users: PeerUser[] } | { problem: string }> {
  let server: DevServer | undefined;
  try {
    server = await start({
      config: join(ROOT, "test", "bench", "peer", "wrangler.toml"),
      devSetup: false,
      onOutput: note("peer"),
    });
    return { server, users: await preparePeer(server.origin, PEER_USERS, PASSWORD) };
  } catch (err) {
    if (server) await stop(server);
    const problem = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    log(`Better Auth peer not measured: ${problem}`);
    return { problem };
  }
}

async function version(pkg: string): Promise<string> {
  return JSON.parse(await readFile(join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
}

stopOnSignals();

async function main() {
  const startedAt = new Date();
  const loadAtStart = os.loadavg()[0]!;
  const tmp = await mkdtemp(join(os.tmpdir(), "edge-mfa-bench-"));
  const ips = new ClientAddresses(20);
  try {
    log("bundling edge-mfa once (wrangler deploy --dry-run): its size, and the build every server runs …");
    const app = await freezeWorker(join(ROOT, "wrangler.toml"), join(tmp, "app"));
    const frozen = { config: app.config, args: ["--no-bundle", "--env-file", join(ROOT, ".dev.vars")] };
    const pc = await loadProjectCrypto(ROOT, tmp);
    const passwordHash = await pc.hashPassword(PASSWORD, pc.authConfig.password.scrypt);

    log("work per request (probe Worker with counting bindings) …");
    const probed = await probe(pc, passwordHash, PASSWORD, join(tmp, "probe"));

    log(
      `edge-mfa with ${SMALL.toLocaleString("en-US")} and with ${LARGE.toLocaleString("en-US")} accounts ` +
        "(D1 files seeded directly), and the Better Auth peer, side by side …",
    );
    const seedSpec = (accounts: number, challengesPerAccount: number, sessions: number) => ({
      accounts,
      workingSet: WORKING_SET,
      challengesPerAccount,
      sessions,
      passwordHash,
      now: Date.now(),
    });
    let small: Seeded | undefined;
    let large: Seeded | undefined;
    const [ours, big, peer] = await Promise.all([
      start({
        ...frozen,
        onOutput: note("1k"),
        beforeStart: async (dir) => {
          small = await seedD1(dir, pc, devEncryptionKeys(ROOT), seedSpec(SMALL, 16, 100));
        },
      }),
      start({
        ...frozen,
        onOutput: note("100k"),
        beforeStart: async (dir) => {
          large = await seedD1(dir, pc, devEncryptionKeys(ROOT), seedSpec(LARGE, 8, 0));
          log(`seeded ${LARGE.toLocaleString("en-US")} accounts in ${large.seconds.toFixed(1)} s`);
        },
      }),
      startPeer(),
    ]);
    const book = new StepBook(small!.working);
    const valid = validCodeTasks(book, ips);
    const bigValid = validCodeTasks(new StepBook(large!.working), ips);
    const wrong = wrongCodeTasks(small!.working, ips);
    const security = securityTasks(small!.sessionTokens);
    const oursFlow = signInFlowTasks(book, ips, PASSWORD);
    const peerServer = "server" in peer ? peer.server : undefined;
    const peerFlow = "server" in peer ? peerFlowTasks(peer.server.origin, peer.users, PASSWORD) : undefined;
    log("warm-up …");
    await warm(ours.origin, floorTasks(), 500);
    await warm(ours.origin, valid, 100);
    await warm(ours.origin, wrong, 100);
    await warm(ours.origin, security, 100);
    await warm(ours.origin, oursFlow, 10);
    await warm(big.origin, floorTasks(), 500);
    await warm(big.origin, bigValid, 100);
    if (peerServer && peerFlow) {
      await warm(peerServer.origin, floorTasks(), 500);
      await warm(peerServer.origin, peerFlow, 10);
    }
    const r: Record<string, Samples[]> = {};
    const keep = (name: string, samples: Samples) => {
      r[name] = [...(r[name] ?? []), samples];
    };
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}/${ROUNDS}: floors, valid (1k, 100k), wrong, security, sign-in flows (ours, peer) …`);
      keep("floor1k", await slice(ours.origin, floorTasks()));
      keep("valid1k", await slice(ours.origin, valid));
      keep("floor100k", await slice(big.origin, floorTasks()));
      keep("valid100k", await slice(big.origin, bigValid));
      keep("wrong", await slice(ours.origin, wrong));
      keep("security", await slice(ours.origin, security));
      keep("oursFlow", await slice(ours.origin, oursFlow, FLOW_SLICE_SECONDS));
      if (peerServer && peerFlow) {
        keep("peerFlow", await slice(peerServer.origin, peerFlow, FLOW_SLICE_SECONDS));
        keep("peerFloor", await slice(peerServer.origin, floorTasks()));
      }
    }
    const peerHash = peerServer ? await hashCost(peerServer.origin, "/bench/hash-cost") : Number.NaN;
    await Promise.all([stop(ours), stop(big), peerServer ? stop(peerServer) : undefined]);

    const s = (name: string): Summary => summarize(r[name] ?? []);
    const cpus = os.cpus();
    const partial: Omit<Results, "verdicts"> = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine:
        `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ` +
        `1-min load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end`,
      versions: {
        node: process.versions.node,
        wrangler: await version("wrangler"),
        workerd: await version("workerd"),
        "better-auth": await version("better-auth"),
        undici: await version("undici"),
      },
      method:
        `Closed loop, ${CONNECTIONS} keep-alive connections to 127.0.0.1. The 1k and 100k servers and the peer ` +
        `run side by side; each measurement runs in ${ROUNDS} slices (${SLICE_SECONDS} s; sign-in flows ` +
        `${FLOW_SLICE_SECONDS} s) alternated with all the others after a warm-up, so machine noise hits all alike. ` +
        '"vs floor" divides by `GET /health` of the same server in the same run. Every MFA request carries a ' +
        "fresh seeded challenge and a code for a not-yet-used step; each client address (documentation ranges, " +
        "as CF-Connecting-IP) is used ≤ 20 times. wrangler dev `--log-level warn`, fresh state for every server.",
      rows: {
        floor1k: s("floor1k"),
        valid1k: s("valid1k"),
        wrong: s("wrong"),
        security: s("security"),
        floor100k: s("floor100k"),
        valid100k: s("valid100k"),
        oursFlow: s("oursFlow"),
        peerFlow: "problem" in peer ? undefined : s("peerFlow"),
        peerFloor: "problem" in peer ? undefined : s("peerFloor"),
      },
      peerProblem: "problem" in peer ? peer.problem : undefined,
      serverOutput,
      work: probed.work,
      bundle: { totalKiB: app.totalKiB, gzipKiB: app.gzipKiB },
      hashing: {
        ours: {
          msPerHash: probed.hash,
          params: `scrypt N=2^${pc.authConfig.password.scrypt.logN}, r=${pc.authConfig.password.scrypt.r}, p=${pc.authConfig.password.scrypt.p}, @noble/hashes in JS`,
        },
        peer: { msPerHash: peerHash, params: "scrypt N=2^14, r=16, p=1, node:crypto (native in workerd)" },
        method: "wall time of a request that hashes twice inside workerd, fastest of 3, halved",
      },
      seeding: {
        accounts1k: SMALL,
        accounts100k: LARGE,
        seconds100k: large!.seconds,
        bytesPerAccount: large!.bytesPerAccount,
      },
    };
    const results: Results = { ...partial, verdicts: verdicts(partial) };
    await mkdir(OUT, { recursive: true });
    await writeFile(join(OUT, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    console.log(renderTable(results));
    log(`wrote ${join("test-artifacts", "bench", "results.json")}; ${ips.count} client addresses used`);
  } finally {
    await stopAll();
    await rm(tmp, { recursive: true, force: true });
    const left = leftovers();
    if (left.length > 0) {
      console.error(`bench: processes still running:\n${left.join("\n")}`);
      process.exitCode = 1;
    } else log(`stopped the ${startedCount()} wrangler dev servers it started; no process of their groups is left`);
  }
}

main().catch(async (err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  await stopAll();
  process.exitCode = 1;
});
