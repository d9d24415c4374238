/**
 * @module test/bench/report
 * Turns one run's measurements into the printed markdown table (rows, work per request, the
 * verdict per target of issue 7) and the JSON document written beside it.
 */
import type { Summary } from "./load.ts";

export interface Work {
  status: number;
  d1: string[];
  durableObjects: string[];
}

export interface Results {
  startedAt: string;
  finishedAt: string;
  machine: string;
  versions: Record<string, string>;
  method: string;
  rows: {
    floor1k: Summary;
    valid1k: Summary;
    wrong: Summary;
    security: Summary;
    floor100k: Summary;
    valid100k: Summary;
    oursFlow: Summary;
    /** Absent when the peer could not run; `peerProblem` says why. */
    peerFlow?: Summary;
    peerFloor?: Summary;
  };
  peerProblem?: string;
  /** Warnings and errors each server printed, first lines only. */
  serverOutput: Record<string, string[]>;
  work: { valid: Work; wrong: Work; security: Work; password: Work; health: Work };
  bundle: { totalKiB: number; gzipKiB: number };
  hashing: {
    ours: { msPerHash: number; params: string };
    peer: { msPerHash: number; params: string };
    method: string;
  };
  seeding: { accounts1k: number; accounts100k: number; seconds100k: number; bytesPerAccount: number };
  verdicts: Verdict[];
}

export interface Verdict {
  target: string;
  measured: string;
  met: boolean;
  note: string;
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const perSecond = (x: number) => Math.round(x).toLocaleString("en-US");
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "–");

export function verdicts(r: Omit<Results, "verdicts">): Verdict[] {
  const { floor1k, valid1k, floor100k, valid100k, oursFlow, peerFlow } = r.rows;
  const throughput = valid1k.rate / floor1k.rate;
  const tail = valid1k.p99 / floor1k.p99;
  const ratio1k = throughput;
  const ratio100k = valid100k.rate / floor100k.rate;
  const flat = ratio100k / ratio1k;
  const vsPeer = peerFlow ? oursFlow.rate / peerFlow.rate : Number.NaN;
  const d1 = r.work.valid.d1.length;
  const calls = r.work.valid.durableObjects.length;
  return [
    {
      target: "MFA verification ≥ 50 % of the floor's req/s",
      measured: times(throughput),
      met: throughput >= 0.5,
      note: "valid codes, 1k accounts, same server and run",
    },
    {
      target: "MFA verification p99 ≤ 3× the floor's p99",
      measured: times(tail),
      met: tail <= 3,
      note: `${ms(valid1k.p99)} ms vs ${ms(floor1k.p99)} ms`,
    },
    {
      target: "≤ 2 D1 queries per verification",
      measured: `${d1} round trips`,
      met: d1 <= 2,
      note: "loadChallenge (one joined read) + completeSignIn (one batch)",
    },
    {
      target: "≤ 1 Durable Object call per verification",
      measured: `${calls} calls`,
      met: calls <= 1,
      note: "by design: the account's Limiter (lock, caps, replay) + the per-IP limit",
    },
    {
      target: "ahead of Better Auth on sign-in + verify req/s",
      measured: peerFlow ? times(vsPeer) : "not measured",
      met: vsPeer > 1,
      note: peerFlow
        ? `password hash: ours ${ms(r.hashing.ours.msPerHash)} ms vs ${ms(r.hashing.peer.msPerHash)} ms`
        : `not measured: ${r.peerProblem}`,
    },
    {
      target: "flat from 1k to 100k accounts (ratio ≥ 0.9)",
      measured: times(flat),
      met: flat >= 0.9,
      note: `vs-floor ratio ${ratio1k.toFixed(2)} (1k) → ${ratio100k.toFixed(2)} (100k)`,
    },
  ];
}

function loadRow(label: string, s: Summary, floor: Summary | undefined, unit = "req/s"): string {
  const vs = floor ? `${times(s.rate / floor.rate)} · ${times(s.p99 / floor.p99)}` : "–";
  const flags = [
    `n=${s.tasks.toLocaleString("en-US")}${unit === "req/s" ? "" : " flows"}`,
    s.errors > 0 ? `**${s.errors} errors**: ${s.firstErrors[0] ?? ""}` : "",
    s.exhausted ? "prepared codes ran out" : "",
    `slices ${s.sliceRates.map((x) => perSecond(x)).join(" / ")}`,
  ].filter(Boolean);
  return `| ${label} | ${perSecond(s.rate)} | ${ms(s.p50)} | ${ms(s.p99)} | ${vs} | ${flags.join("; ")} |`;
}

function workRow(label: string, w: Work): string {
  const d1 = w.d1.length ? ` (${w.d1.join(", ")})` : "";
  const dos = w.durableObjects.length ? ` (${w.durableObjects.join(", ")})` : "";
  return `| ${label} | | | | | HTTP ${w.status}: ${w.d1.length} D1 round trips${d1} · ${w.durableObjects.length} DO calls${dos} |`;
}

export function renderTable(r: Results): string {
  const { rows, work } = r;
  const lines = [
    `### npm run bench — ${r.startedAt}`,
    "",
    r.method,
    `Machine: ${r.machine}. ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    "",
    "| measurement | req/s | p50 ms | p99 ms | vs floor (req/s · p99) | result |",
    "|---|--:|--:|--:|--:|---|",
    loadRow("Floor: `GET /health` (1k accounts)", rows.floor1k, rows.floor1k),
    loadRow("MFA verification, valid code: `POST /auth/password/mfa` (1k accounts)", rows.valid1k, rows.floor1k),
    loadRow("MFA verification, wrong code", rows.wrong, rows.floor1k),
    loadRow("`GET /api/v1/account/security` (bearer session)", rows.security, rows.floor1k),
    loadRow("Floor: `GET /health` (100k accounts)", rows.floor100k, rows.floor100k),
    loadRow("MFA verification, valid code (100k accounts)", rows.valid100k, rows.floor100k),
    loadRow("Ours: `POST /auth/password` + `POST /auth/password/mfa` (flows/s)", rows.oursFlow, rows.floor1k, "flows"),
    ...(rows.peerFlow && rows.peerFloor
      ? [
          loadRow(
            `Better Auth ${r.versions["better-auth"]}: sign-in/email + two-factor/verify-totp (flows/s)`,
            rows.peerFlow,
            rows.peerFloor,
            "flows",
          ),
          loadRow("Floor of the Better Auth Worker: `GET /health`", rows.peerFloor, rows.peerFloor),
        ]
      : [
          `| Better Auth ${r.versions["better-auth"]}: sign-in + verify-totp | | | | | not measured: ${r.peerProblem} |`,
        ]),
    workRow("Work: MFA verification, valid code", work.valid),
    workRow("Work: MFA verification, wrong code", work.wrong),
    workRow("Work: `GET /api/v1/account/security`", work.security),
    workRow("Work: `POST /auth/password` (account with MFA)", work.password),
    `| Bundle: \`wrangler deploy --dry-run\` | | | | | ${r.bundle.totalKiB.toFixed(2)} KiB, gzip ${r.bundle.gzipKiB.toFixed(2)} KiB |`,
    `| D1 storage per account (account + TOTP credential, with indexes) | | | | | ${Math.round(r.seeding.bytesPerAccount)} bytes; ${r.seeding.accounts100k.toLocaleString("en-US")} accounts seeded in ${r.seeding.seconds100k.toFixed(1)} s |`,
    `| Password hash, ours (${r.hashing.ours.params}) | | | | | ${ms(r.hashing.ours.msPerHash)} ms per hash |`,
    `| Password hash, Better Auth (${r.hashing.peer.params}) | | | | | ${ms(r.hashing.peer.msPerHash)} ms per hash |`,
    ...(rows.peerFlow
      ? [
          `| Ours vs Better Auth, sign-in + verify | ${times(rows.oursFlow.rate / rows.peerFlow.rate)} | | ${times(rows.oursFlow.p99 / rows.peerFlow.p99)} | | req/s ratio · p99 ratio (above 1 req/s = ours faster) |`,
        ]
      : []),
    ...Object.entries(r.serverOutput)
      .filter(([, lines]) => lines.length > 0)
      .map(
        ([server, lines]) =>
          `| Server output (${server}) | | | | | ${lines.length} warning/error lines, first: \`${lines[0]!.replaceAll("|", "/").replaceAll("`", "'")}\` |`,
      ),
    ...r.verdicts.map(
      (v) =>
        `| **Target:** ${v.target} | | | | ${v.measured} | ${v.measured === "not measured" ? "**not measured**" : v.met ? "**met**" : "**missed**"} — ${v.note} |`,
    ),
  ];
  return lines.join("\n");
}
