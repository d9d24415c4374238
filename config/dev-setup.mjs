// Runs before `npm run dev`: gives a fresh clone everything wrangler dev needs, with no manual step.
// 1. A development encryption key in .dev.vars (git-ignored) when none is there. Production never
//    reads .dev.vars; it uses `wrangler secret put MFA_ENCRYPTION_KEYS`.
// 2. The D1 migrations applied to the local database (idempotent).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const devVars = `${root}/.dev.vars`;

const current = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
if (!/^MFA_ENCRYPTION_KEYS=/m.test(current)) {
  const line = `MFA_ENCRYPTION_KEYS=dev1:${randomBytes(32).toString("base64")}\n`;
  writeFileSync(devVars, current + (current && !current.endsWith("\n") ? "\n" : "") + line, { mode: 0o600 });
  console.log("dev-setup: generated a development encryption key in .dev.vars");
}

const persistTo = process.env.EDGE_MFA_PERSIST_TO;
execFileSync(
  "wrangler",
  ["d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])],
  {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
  },
);
