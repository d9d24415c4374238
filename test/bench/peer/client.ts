/**
 * @module test/bench/peer/client
 * Prepares and drives the Better Auth peer the way its client would: sign up, enable TOTP with
 * the password, confirm with a code; then, under load, sign in with email and password (answer
 * `twoFactorRedirect` plus the signed `two_factor` cookie) and POST /two-factor/verify-totp.
 */
import { codeAt } from "../../helpers/authenticator.ts";
import { type Answer, expectAnswer, runPhase, type Send, type Task } from "../load.ts";

export interface PeerUser {
  email: string;
  /** Base32, from the otpauth:// URI Better Auth returned. */
  secret: string;
}

/** "name=value" of a Set-Cookie answer's cookie, or undefined. */
function cookie(answer: Answer, name: string): string | undefined {
  const raw = answer.headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return all.map((c) => c.split(";")[0]!).find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1);
}

function headersFor(origin: string, cookies?: string): Record<string, string> {
  // Better Auth checks Origin on cookie-carrying POSTs, as a browser would send it.
  return cookies ? { origin, cookie: cookies } : { origin };
}

/** Creates the schema (Better Auth's own migrations) and `count` users with a confirmed authenticator. */
export async function preparePeer(origin: string, count: number, password: string): Promise<PeerUser[]> {
  const migrated = await fetch(`${origin}/bench/migrate`, { method: "POST" });
  if (!migrated.ok) throw new Error(`peer migrations: HTTP ${migrated.status} ${await migrated.text()}`);
  const users: PeerUser[] = [];
  let next = 0;
  const setup = await runPhase(origin, {
    connections: 4,
    seconds: 120,
    maxTasks: count,
    next: () => {
      const email = `peer-${next++}@example.com`;
      return async (send: Send) => {
        const signUp = await send("POST", "/api/auth/sign-up/email", {
          headers: headersFor(origin),
          json: { email, password, name: "Bench User" },
        });
        expectAnswer(signUp, 200, "peer sign-up");
        const session = cookie(signUp, "better-auth.session_token");
        if (!session) throw new Error("peer sign-up: no session cookie");
        const enable = await send("POST", "/api/auth/two-factor/enable", {
          headers: headersFor(origin, session),
          json: { password },
        });
        expectAnswer(enable, 200, "peer enable");
        const uri = (JSON.parse(enable.body) as { totpURI: string }).totpURI;
        const secret = new URL(uri).searchParams.get("secret")!;
        const confirm = await send("POST", "/api/auth/two-factor/verify-totp", {
          headers: headersFor(origin, session),
          json: { code: codeAt(secret, Date.now()) },
        });
        expectAnswer(confirm, 200, "peer confirm");
        users.push({ email, secret });
      };
    },
  });
  if (setup.errors > 0 || users.length !== count) {
    throw new Error(`peer setup: ${users.length}/${count} users; ${setup.firstErrors.join(" | ")}`);
  }
  return users;
}

/** Sign-in with email and password, then verify-totp with the two_factor cookie. */
export function peerFlowTasks(origin: string, users: readonly PeerUser[], password: string) {
  let cursor = 0;
  return (): Task => {
    const user = users[cursor++ % users.length]!;
    return async (send) => {
      const first = await send("POST", "/api/auth/sign-in/email", {
        headers: headersFor(origin),
        json: { email: user.email, password },
      });
      expectAnswer(first, 200, "peer sign-in");
      if (!first.body.includes('"twoFactorRedirect":true'))
        throw new Error(`peer sign-in: ${first.body.slice(0, 120)}`);
      const pending = cookie(first, "better-auth.two_factor");
      if (!pending) throw new Error("peer sign-in: no two_factor cookie");
      const second = await send("POST", "/api/auth/two-factor/verify-totp", {
        headers: headersFor(origin, pending),
        json: { code: codeAt(user.secret, Date.now()) },
      });
      expectAnswer(second, 200, "peer verify-totp");
      if (!cookie(second, "better-auth.session_token")) throw new Error("peer verify-totp: no session cookie");
    };
  };
}
