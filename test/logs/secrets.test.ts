/**
 * Secrets never reach the logs: full flows (sign-up, enrollment, MFA sign-in with a wrong code,
 * a lockout, recovery codes, a sign-in link, Limiter and D1 failures, an unknown error) run with
 * every console method captured; then no password, TOTP secret, code or token may appear in it,
 * and every 503 and 500 is logged with its request id.
 */

import { env } from "cloudflare:workers";
import { z } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnyStrategy, defaultStrategies } from "../../src/auth/strategies";
import { ApiClient, freshEmail, workerFetch } from "../helpers/api";
import { codeAt } from "../helpers/authenticator";
import { faultyWorld } from "../helpers/faults";
import { type ConsoleCapture, captureConsole, SecretBook } from "../helpers/log-capture";

const book = new SecretBook();
let capture: ConsoleCapture;

beforeAll(() => {
  capture = captureConsole();
});
afterAll(() => capture.restore());

function newPassword(): string {
  const password = `pw-${crypto.randomUUID()}`;
  book.password(password);
  return password;
}

/** A code valid now, recorded as submitted. */
function rightCode(secret: string, at: number): string {
  const code = codeAt(secret, at);
  book.otp(code);
  return code;
}

/** A random code outside the ±1-step window, recorded as submitted. */
function wrongCode(secret: string, at: number): string {
  const valid = new Set([-30_000, 0, 30_000].map((d) => codeAt(secret, at + d)));
  let code: string;
  do code = String(crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000).padStart(6, "0");
  while (valid.has(code));
  book.otp(code);
  return code;
}

/** The error lines logged for one request. */
const errorLinesOf = (res: Response) => {
  const id = res.headers.get("X-Request-Id");
  expect(id).toBeTruthy();
  return capture.lines.filter((l) => l.startsWith("error:") && l.includes(id!));
};

async function enrolledClient(client: ApiClient, now: number) {
  const password = newPassword();
  const { email } = await client.signUp(freshEmail("logs"), password);
  const start = await client.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa");
  const secret = start.body.mfa.secret;
  const confirm = await client.json<{ recovery_codes: string[] }>("PUT", "/api/v1/account/mfa", {
    token: rightCode(secret, now),
  });
  expect(confirm.status).toBe(200);
  return { email, password, secret, recoveryCodes: confirm.body.recovery_codes };
}

describe("secrets in logs", () => {
  it("signs up, enrolls, refuses a wrong code and signs in with a code and with recovery codes", async () => {
    const client = new ApiClient(book.recording(workerFetch));
    const { email, password, secret, recoveryCodes } = await enrolledClient(client, Date.now());
    await client.signIn(email, password);
    expect((await client.mfa({ otp: wrongCode(secret, Date.now()) })).status).toBe(401);
    expect((await client.mfa({ otp: rightCode(secret, Date.now() + 30_000) })).status).toBe(200);
    await client.signIn(email, password);
    expect((await client.mfa({ recovery_code: recoveryCodes[0]! })).status).toBe(200);
    await client.signIn(email, password);
    const compact = recoveryCodes[1]!.replace(/-/g, "").toLowerCase();
    expect((await client.mfa({ recovery_code: compact })).status).toBe(200);
  });

  it("warns when ten wrong codes lock the second factor", async () => {
    const client = new ApiClient(book.recording(workerFetch));
    const { email, password, secret } = await enrolledClient(client, Date.now());
    for (let round = 0; round < 2; round++) {
      await client.signIn(email, password);
      for (let i = 0; i < 5; i++) await client.mfa({ otp: wrongCode(secret, Date.now()) });
    }
    expect(capture.lines.filter((l) => l.startsWith("warn:") && l.includes("locked"))).toHaveLength(1);
  });

  it("signs in with a link read from the outbox", async () => {
    const client = new ApiClient(book.recording(workerFetch));
    const { email } = await client.signUp(freshEmail("logs-link"), newPassword());
    expect((await client.call("POST", "/auth/link", { email })).status).toBe(202);
    const mail = await env.DB.prepare("SELECT body FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1")
      .bind(email)
      .first<{ body: string }>();
    const token = decodeURIComponent(/token=(\S+)/.exec(mail!.body)![1]!);
    book.token("link token", token);
    const res = await client.json("GET", `/auth/link/callback?token=${encodeURIComponent(token)}`, undefined, {
      Accept: "application/json",
    });
    expect(res.status).toBe(200);
  });

  it("logs a Limiter failure (503) with the request id", async () => {
    const w = faultyWorld(Date.now());
    const client = new ApiClient(book.recording(w.send));
    const password = newPassword();
    const { email } = await client.signUp(freshEmail("logs-do"), password);
    w.rpc.reset(2); // the client-IP token is taken; the first-factor call fails
    const res = await client.call("POST", "/auth/password", { email, password });
    expect(res.status).toBe(503);
    expect(errorLinesOf(res)).toHaveLength(1);
  });

  it("logs a D1 failure (503) with the request id, never the SQL or its parameters", async () => {
    const w = faultyWorld(Date.now());
    const client = new ApiClient(book.recording(w.send));
    const { email, password, secret } = await enrolledClient(client, w.clock.now);
    w.clock.now += 30_000;
    await client.signIn(email, password);
    for (const failAt of [1, 2]) {
      w.d1.reset(failAt); // 1: reading the challenge; 2: the batch that would issue the session
      const res = await client.call("POST", "/auth/password/mfa", {
        otp: rightCode(secret, w.clock.now),
        challenge: client.challenge,
      });
      expect(res.status).toBe(503);
      const [line, ...more] = errorLinesOf(res);
      expect(more).toEqual([]);
      expect(line).toContain("storage unavailable");
      expect(line).not.toMatch(/select|insert|params:|@example\.com/i);
      w.clock.now += 30_000;
    }
  });

  it("logs an unknown error (500) with the request id and tells the client only that id", async () => {
    const exploding: AnyStrategy = {
      name: "exploding",
      summary: "Fails with an unexpected error",
      body: z.object({ email: z.string(), password: z.string() }),
      async start() {
        throw new TypeError("the strategy exploded");
      },
    };
    const w = faultyWorld(Date.now(), { strategies: [...defaultStrategies, exploding] });
    const client = new ApiClient(book.recording(w.send));
    const res = await client.call("POST", "/auth/exploding", { email: freshEmail(), password: newPassword() });
    expect(res.status).toBe(500);
    const body = (await res.clone().json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("INTERNAL_ERROR");
    expect(body.error.message).toContain(res.headers.get("X-Request-Id"));
    expect(body.error.message).not.toContain("exploded");
    expect(errorLinesOf(res).join("\n")).toContain("the strategy exploded");
  });

  it("logs no password, TOTP secret, code, recovery code or session, challenge or link token", () => {
    expect(book.matchers.length).toBeGreaterThan(50);
    expect(capture.lines.length).toBeGreaterThanOrEqual(5);
    expect(book.leaks(capture.lines)).toEqual([]);
  });
});
