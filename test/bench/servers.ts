/**
 * @module test/bench/servers
 * The benchmark's wrangler dev servers (through test/e2e/harness.ts): started in their own process
 * groups, stopped by group, their warnings kept for the JSON, and a final check that no process
 * of any group they led is still alive.
 */
import { readdirSync, readFileSync } from "node:fs";
import { type DevServer, type DevServerOptions, startDevServer } from "../e2e/harness.ts";

const servers: DevServer[] = [];
/** The process group of every server this run started (wrangler leads it; workerd is in it). */
const groups: number[] = [];

/** How many servers this run started. */
export const startedCount = () => groups.length;
export const log = (message: string) => console.error(`bench: ${message}`);

/** Warnings and errors the servers printed (at `--log-level warn`), a few lines each, for the JSON. */
export const serverOutput: Record<string, string[]> = {};
export const note = (server: string) => (text: string) => {
  const lines = serverOutput[server] ?? [];
  serverOutput[server] = lines;
  for (const line of text.split("\n")) {
    if (line.trim() !== "" && lines.length < 20) lines.push(line.slice(0, 300));
  }
};

export async function start(options: DevServerOptions = {}): Promise<DevServer> {
  const server = await startDevServer(options);
  servers.push(server);
  groups.push(server.pid);
  return server;
}

export async function stop(server: DevServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.stop();
}

export async function stopAll(): Promise<void> {
  for (const server of servers.splice(0)) await server.stop().catch((err) => console.error(err));
}

/** Live processes in any process group this run started (wrangler, workerd, esbuild). */
export function leftovers(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z" || !groups.includes(Number(pgrp))) continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").slice(0, 120)}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Stops every server on Ctrl-C or SIGTERM before the process exits. */
export function stopOnSignals(): void {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.on(signal, () => {
      void stopAll().finally(() => process.exit(code));
    });
  }
}
