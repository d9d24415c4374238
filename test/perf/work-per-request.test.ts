/**
 * Work per MFA verification, counted by instrumented bindings so it cannot grow unnoticed: D1
 * round trips (a statement or a whole batch) and Durable Object calls. The benchmark prints the
 * same counts (test/bench/probe); SCALING.md builds its capacity model on them.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { base32 } from "@scure/base";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { sha256Hex } from "../../src/crypto/hash";
import { importKeyring, seal, totpSecretAad } from "../../src/crypto/keyring";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import { countingEnv, emptyCount, type WorkCount } from "./counting-env";

const app = createApp();
let serial = 0;

interface Enrolled {
  accountId: string;
  secret: string;
  challenge: string;
  ip: string;
}

/** An account with a confirmed authenticator and one pending challenge, written straight to D1. */
async function enrolledWithChallenge(now: number): Promise<Enrolled> {
  serial++;
  const accountId = `perf-account-${serial}-${crypto.randomUUID()}`;
  const credentialId = `perf-credential-${serial}-${crypto.randomUUID()}`;
  const secretBytes = crypto.getRandomValues(new Uint8Array(20));
  const keyring = await importKeyring(env.MFA_ENCRYPTION_KEYS);
  const sealed = await seal(keyring, secretBytes, totpSecretAad(accountId, credentialId));
  const challenge = `perf-challenge-${crypto.randomUUID()}`;
  await env.DB.batch([
    env.DB.prepare("INSERT INTO accounts (id, email, password_hash, created_at) VALUES (?, ?, NULL, ?)").bind(
      accountId,
      `${accountId}@example.com`,
      now,
    ),
    env.DB.prepare(
      `INSERT INTO mfa_credentials (id, account_id, kind, ciphertext, key_id, algorithm, digits, period_seconds,
        last_used_step, confirmed_at, created_at) VALUES (?, ?, 'totp', ?, ?, 'SHA1', 6, 30, 0, ?, ?)`,
    ).bind(credentialId, accountId, sealed.ciphertext, sealed.keyId, now, now),
    env.DB.prepare(
      "INSERT INTO mfa_challenges (token_hash, account_id, strategy, expires_at, created_at) VALUES (?, ?, 'password', ?, ?)",
    ).bind(await sha256Hex(challenge), accountId, now + 300_000, now),
  ]);
  return { accountId, secret: base32.encode(secretBytes), challenge, ip: `192.0.2.${serial}` };
}

async function verify(a: Enrolled, otp: string, count: WorkCount) {
  const request = new Request("https://mfa.test/auth/password/mfa", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": a.ip },
    body: JSON.stringify({ otp, challenge: a.challenge }),
  });
  const ctx = createExecutionContext();
  const response = await app.fetch(request, countingEnv(env, count), ctx);
  await waitOnExecutionContext(ctx);
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
}

const challengeRow = async (token: string) =>
  env.DB.prepare("SELECT consumed_at, session_id FROM mfa_challenges WHERE token_hash = ?")
    .bind(await sha256Hex(token))
    .first<{ consumed_at: number | null; session_id: string | null }>();

describe("work per MFA verification", () => {
  let count: WorkCount;
  beforeEach(() => {
    count = emptyCount();
  });

  it("a valid code costs 2 D1 round trips (load, completion batch) and 2 Durable Object calls", async () => {
    const now = Date.now();
    const a = await enrolledWithChallenge(now);

    const answer = await verify(a, codeAt(a.secret, now), count);

    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(count.d1).toHaveLength(2);
    expect(count.d1[1]).toBe("batch");
    expect(count.durableObjects.toSorted()).toEqual([`ip:${a.ip}.ipRequest`, `mfa:${a.accountId}.secondFactor`]);
    const row = await challengeRow(a.challenge);
    expect(row?.consumed_at).not.toBeNull();
    expect(row?.session_id).not.toBeNull();
  });

  it("a wrong code costs 1 D1 round trip and 2 Durable Object calls, and leaves the challenge open", async () => {
    const now = Date.now();
    const a = await enrolledWithChallenge(now);

    const answer = await verify(a, wrongCodeAt(a.secret, now), count);

    expect(answer.status).toBe(401);
    expect(answer.body.error?.code).toBe("MFA_OTP_INVALID");
    expect(count.d1).toHaveLength(1);
    expect(count.d1).not.toContain("batch");
    expect(count.durableObjects.toSorted()).toEqual([`ip:${a.ip}.ipRequest`, `mfa:${a.accountId}.secondFactor`]);
    expect((await challengeRow(a.challenge))?.consumed_at).toBeNull();
  });
});
