/**
 * `npm run soak`: wrangler dev on fresh local state, 50 concurrent clients for 2 minutes mixing
 * every flow, then the checks: zero 5xx, zero unexpected statuses, every Limiter counter equal to
 * what the clients sent, D1 consistent, workerd's memory at the end within 20 % of warm-up.
 * Prints one summary line. SOAK_SECONDS, SOAK_WARMUP_SECONDS and SOAK_CLIENTS shorten it.
 * Runs under Node 22's type stripping; all traffic goes to 127.0.0.1.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { startDevServer } from "../e2e/harness.ts";
import { codeAt, wrongCodeAt } from "../helpers/authenticator.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 50);
/**
 * Load before the measured run. workerd's memory climbs until the V8 heap has sized itself to
 * the load: ~90 s with production scrypt (16 MiB per hash), at once with a cheap hash — both
 * settle near the same level (README, Reliability). The 2 minutes are measured after this.
 */
const WARMUP_SECONDS = Number(process.env.SOAK_WARMUP_SECONDS ?? 90);
/** SOAK_FIXED=1: each client signs up once, then only signs in — a fixed working set, to tell growth from a leak. */
const FIXED = process.env.SOAK_FIXED === "1";
const PASSWORD = "soak test passphrase 1";
const run = promisify(execFile);

interface Expected {
  ip: Map<string, number>;
  pw: Map<string, number>;
  mfa: Map<string, number>;
}
const sent: Expected = { ip: new Map(), pw: new Map(), mfa: new Map() };
const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
const stats = { requests: 0, fivexx: 0, unexpected: 0, sessionsIssued: 0, byFlow: new Map<string, number>() };
const problems: string[] = [];

class Client {
  token?: string;
  challenge?: string;
  readonly origin: string;
  readonly ip: string;
  constructor(origin: string, ip: string) {
    this.origin = origin;
    this.ip = ip;
  }

  async call(method: string, path: string, body: unknown, expect: number, flow: string) {
    const headers: Record<string, string> = { "CF-Connecting-IP": this.ip };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    stats.requests++;
    stats.byFlow.set(flow, (stats.byFlow.get(flow) ?? 0) + 1);
    if (res.status >= 500) stats.fivexx++;
    if (res.status !== expect) {
      stats.unexpected++;
      if (problems.length < 10)
        problems.push(`${flow}: ${method} ${path} → ${res.status} (expected ${expect}) ${text.slice(0, 160)}`);
    }
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
}

const step = (ms: number) => Math.floor(ms / 30_000);
const pwKey = (email: string) => `pw:${createHash("sha256").update(`email:${email}`).digest("hex")}`;

/** One virtual person: sign up, enroll, then sign in repeatedly with codes, a wrong code now and then, and recovery codes. */
async function person(origin: string, ip: string, index: number, until: number) {
  const c = new Client(origin, ip);
  let accounts = 0;
  while (Date.now() < until) {
    const email = `soak-${index}-${accounts++}-${Date.now()}@example.com`;
    const signup = await c.call("POST", "/auth/signup", { email, password: PASSWORD }, 201, "signup");
    bump(sent.ip, ip);
    if (signup.status !== 201) return;
    stats.sessionsIssued++;
    c.token = signup.body.token;
    const security = await c.call("GET", "/api/v1/account/security", undefined, 200, "security");
    const accountId: string = security.body.profile.id;
    const pending = await c.call("GET", "/api/v1/account/mfa", undefined, 200, "enroll");
    const secret: string = pending.body.mfa.secret;
    let lastStep = step(Date.now());
    const confirm = await c.call(
      "PUT",
      "/api/v1/account/mfa",
      { token: codeAt(secret, lastStep * 30_000 + 1), secret },
      200,
      "enroll",
    );
    bump(sent.ip, ip);
    bump(sent.mfa, `mfa:${accountId}`);
    const recovery: string[] = confirm.body.recovery_codes;
    await c.call("POST", "/auth/logout", undefined, 204, "signout");
    c.token = undefined;

    for (let round = 0; (FIXED || round < 6) && Date.now() < until; round++) {
      const signin = await c.call("POST", "/auth/password", { email, password: PASSWORD }, 200, "signin");
      bump(sent.ip, ip);
      bump(sent.pw, pwKey(email));
      c.challenge = signin.body.challenge;
      if (round % 3 === 1) {
        await c.call(
          "POST",
          "/auth/password/mfa",
          { otp: wrongCodeAt(secret, Date.now()), challenge: c.challenge },
          401,
          "wrong-code",
        );
        bump(sent.ip, ip);
        bump(sent.mfa, `mfa:${accountId}`);
      }
      let now = step(Date.now());
      if (FIXED && lastStep + 1 > now + 1 && recovery.length <= 3) {
        // No fresh step and recovery codes kept in reserve: wait for the next step, like a person would.
        await new Promise((resolve) => setTimeout(resolve, (now + 1) * 30_000 - Date.now() + 50));
        now = step(Date.now());
      }
      const next = Math.max(lastStep + 1, now);
      let done: { status: number; body: { token: string } };
      if (next <= now + 1 && (round % 4 !== 3 || recovery.length <= 3)) {
        done = await c.call(
          "POST",
          "/auth/password/mfa",
          { otp: codeAt(secret, next * 30_000 + 1), challenge: c.challenge },
          200,
          "mfa",
        );
        lastStep = next;
      } else {
        done = await c.call(
          "POST",
          "/auth/password/mfa",
          { recovery_code: recovery.pop(), challenge: c.challenge },
          200,
          "recovery",
        );
      }
      bump(sent.ip, ip);
      bump(sent.mfa, `mfa:${accountId}`);
      if (done.status !== 200) break;
      stats.sessionsIssued++;
      c.token = done.body.token;
      await c.call("GET", "/api/v1/account/security", undefined, 200, "security");
      await c.call("POST", "/auth/logout", undefined, 204, "signout");
      c.token = undefined;
    }
  }
}

/** Resident memory of the workerd process(es) in wrangler's process group, in KiB. */
async function workerdRssKiB(sessionLeader: number): Promise<number> {
  // wrangler runs in its own session (setsid), so its session id is its pid.
  const { stdout } = await run("ps", ["-o", "pid=,rss=,comm=", "-s", String(sessionLeader)]).catch(() => ({
    stdout: "",
  }));
  return stdout
    .split("\n")
    .filter((line) => line.includes("workerd"))
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[1] ?? 0), 0);
}

async function checkCounters(origin: string) {
  let checked = 0;
  let mismatched = 0;
  const check = async (name: string, expected: number, field: "ipBucket" | "firstFactor" | "secondFactor") => {
    const snap = await (await fetch(`${origin}/dev/limiter/${encodeURIComponent(name)}`)).json();
    const received = snap[field]?.received ?? 0;
    checked++;
    if (received !== expected) {
      mismatched++;
      if (problems.length < 20) problems.push(`counter ${name}.${field}.received = ${received}, sent ${expected}`);
    }
  };
  for (const [ip, n] of sent.ip) await check(`ip:${ip}`, n, "ipBucket");
  for (const [key, n] of sent.pw) await check(key, n, "firstFactor");
  for (const [key, n] of sent.mfa) await check(key, n, "secondFactor");
  return { checked, mismatched };
}

async function d1(persistTo: string, sql: string): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    [
      "node_modules/wrangler/bin/wrangler.js",
      "d1",
      "execute",
      "DB",
      "--local",
      "--persist-to",
      persistTo,
      "--json",
      "--command",
      sql,
    ],
    { env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  return Number(Object.values(JSON.parse(stdout)[0].results[0])[0]);
}

async function main() {
  const server = await startDevServer();
  try {
    const started = Date.now();
    const until = started + (WARMUP_SECONDS + SECONDS) * 1000;
    // RSS every 10 s: the summary shows whether memory levels off after the warm-up.
    const samples: { at: number; kib: number }[] = [];
    const sampler = setInterval(async () => {
      samples.push({ at: Math.round((Date.now() - started) / 1000), kib: await workerdRssKiB(server.pid) });
    }, 10_000);
    await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => person(server.origin, `198.51.100.${(i % 250) + 1}`, i, until)),
    );
    clearInterval(sampler);
    const warmRss = samples.find((x) => x.at >= WARMUP_SECONDS)?.kib ?? 0;
    const endRss = await workerdRssKiB(server.pid);
    const counters = await checkCounters(server.origin);
    const persistTo = server.persistTo;
    const orphanSessions = await d1(
      persistTo,
      "SELECT count(*) FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id WHERE a.id IS NULL",
    );
    const credsWithoutCodes = await d1(
      persistTo,
      "SELECT count(*) FROM mfa_credentials c WHERE NOT EXISTS (SELECT 1 FROM recovery_codes r WHERE r.account_id = c.account_id)",
    );
    const sessionRows = await d1(persistTo, "SELECT count(*) FROM sessions");
    const liveSessions = await d1(persistTo, "SELECT count(*) FROM sessions WHERE revoked_at IS NULL");
    const seconds = (Date.now() - started) / 1000;
    const memoryGrowth = warmRss ? (endRss - warmRss) / warmRss : 0;
    const ok =
      stats.fivexx === 0 &&
      stats.unexpected === 0 &&
      counters.mismatched === 0 &&
      orphanSessions === 0 &&
      credsWithoutCodes === 0 &&
      sessionRows === stats.sessionsIssued &&
      Math.abs(memoryGrowth) <= 0.2;
    for (const p of problems) console.error(`  ${p}`);
    const flows = [...stats.byFlow].map(([k, v]) => `${k}=${v}`).join(" ");
    console.log(
      `soak ${ok ? "PASS" : "FAIL"}: ${CLIENTS} clients ${seconds.toFixed(0)} s (${WARMUP_SECONDS} s warm-up) · ${stats.requests} requests (${(stats.requests / seconds).toFixed(1)}/s; ${flows}) · 5xx ${stats.fivexx} · unexpected ${stats.unexpected} · counters ${counters.checked - counters.mismatched}/${counters.checked} equal · sessions ${sessionRows}/${stats.sessionsIssued} issued (${liveSessions} live), orphans ${orphanSessions}, credentials without codes ${credsWithoutCodes} · workerd RSS ${(warmRss / 1024).toFixed(0)} → ${(endRss / 1024).toFixed(0)} MiB (${(memoryGrowth * 100).toFixed(1)} %; ${samples.map((x) => `${x.at}s:${Math.round(x.kib / 1024)}`).join(" ")})`,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await server.stop();
  }
}

await main();
