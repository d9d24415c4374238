/**
 * Secrets at rest: after a full flow no D1 table holds a TOTP secret, recovery code, session or
 * challenge token in plaintext; TOTP secrets are AES-256-GCM bound to account and credential;
 * tokens are SHA-256; recovery codes are HMAC-SHA-256 under a key derived from the keyring.
 */
import { env } from "cloudflare:workers";
import { base32, base64 } from "@scure/base";
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient, freshEmail } from "../helpers/api";
import { expectNothingInPlaintextAtRest, rememberedKinds, scanAtRest, userTables } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import {
  challengeByToken,
  credentialsOf,
  enrollmentsOf,
  recoveryCodesOf,
  rows,
  sessionByToken,
  sha256Hex,
} from "../helpers/db";
import { expectError } from "../helpers/expect";
import { enrolledAccount } from "../helpers/flows";
import { seedAccount } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

const utf8 = (s: string) => new TextEncoder().encode(s);
const hexOf = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** The test keyring's first key, independent of src/crypto. */
function testKey(): { id: string; raw: Uint8Array } {
  const [first = ""] = (env.MFA_ENCRYPTION_KEYS ?? "").split(",");
  const [id = "", material = ""] = first.split(":");
  return { id, raw: base64.decode(material) };
}

describe("after a full flow", () => {
  it("no table holds any secret the flow handed out", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { email } = await owner.signUp(freshEmail("full-flow"));
    // A pending secret that is never confirmed, then the one that is.
    await owner.json("GET", "/api/v1/account/mfa");
    const { secret, recoveryCodes } = await owner.enroll(clock.now);

    clock.advance(30_000);
    const byPassword = client();
    await byPassword.signIn(email);
    expect((await byPassword.mfa({ otp: codeAt(secret, clock.now) })).status).toBe(200);

    const byLink = client();
    await byLink.signInWithLink(email);
    expect((await byLink.mfa({ recovery_code: recoveryCodes[0]! }, "link")).status).toBe(200);

    clock.advance(30_000);
    const regenerated = await owner.json("POST", "/api/v1/account/mfa/recovery-codes", {
      otp: codeAt(secret, clock.now),
    });
    expect(regenerated.status).toBe(200);
    await byPassword.json("GET", "/api/v1/account/mfa");
    expect((await byLink.call("POST", "/auth/logout")).status).toBe(204);

    const kinds = rememberedKinds();
    for (const kind of [
      "session-token",
      "challenge-token",
      "link-token",
      "totp-secret",
      "recovery-code",
      "password",
    ] as const) {
      expect(kinds[kind], kind).toBeGreaterThan(0);
    }
    expect(kinds["totp-secret"]).toBeGreaterThanOrEqual(3);
    expect(kinds["recovery-code"]).toBeGreaterThanOrEqual(20);
    expect(await scanAtRest()).toEqual([]);
  });

  it("the scan covers every application table", async () => {
    expect(await userTables()).toEqual([
      "account_events",
      "accounts",
      "mfa_challenges",
      "mfa_credentials",
      "mfa_enrollments",
      "outbox",
      "recovery_codes",
      "sessions",
      "sign_in_links",
    ]);
  });

  it("the scan finds a secret planted in plaintext, in any of its spellings", async () => {
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ";
    const raw = base32.decode(secret);
    const planted = [secret.toLowerCase(), hexOf(raw.buffer as ArrayBuffer), base64.encode(raw)];
    try {
      for (const [i, text] of planted.entries()) {
        await env.DB.prepare(
          "INSERT INTO account_events (account_id, type, ip, user_agent, created_at) VALUES ('planted', 'signin', ?, ?, ?)",
        )
          .bind(`10.0.0.${i}`, `agent ${text} x`, Date.now())
          .run();
      }
      const hits = await scanAtRest(new Map([[secret, "totp-secret"]]));
      expect(hits).toEqual(planted.map(() => ({ table: "account_events", column: "user_agent", kind: "totp-secret" })));
    } finally {
      await env.DB.prepare("DELETE FROM account_events WHERE account_id = 'planted'").run();
    }
  });
});

describe("TOTP secrets", () => {
  it("are AES-256-GCM with a 96-bit nonce under the first key, bound to account and credential", async () => {
    const owner = new ApiClient();
    const { accountId, secret } = await enrolledAccount(owner);
    const [credential] = await credentialsOf(accountId);
    const key = testKey();
    expect(credential?.key_id).toBe(key.id);
    const sealed = base64.decode(credential!.ciphertext);
    expect(sealed.length).toBe(12 + 20 + 16);
    const aes = await crypto.subtle.importKey("raw", key.raw, "AES-GCM", false, ["decrypt"]);
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: sealed.subarray(0, 12),
        additionalData: utf8(`edge-mfa/totp-secret/v1/${accountId}/${credential!.id}`),
      },
      aes,
      sealed.subarray(12),
    );
    expect(base32.encode(new Uint8Array(plain))).toBe(secret);
  });

  it("get a fresh nonce per encryption: two pending setups never share a nonce", async () => {
    const owner = new ApiClient();
    const { accountId } = await seedAccount({ client: owner });
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) {
      await owner.json("GET", "/api/v1/account/mfa");
      const [pending] = await enrollmentsOf(accountId);
      nonces.add(hexOf(base64.decode(pending!.ciphertext).slice(0, 12).buffer as ArrayBuffer));
    }
    expect(nonces.size).toBe(5);
  });

  it("copied to another account's pending setup, do not open there: 503 and nothing enabled", async () => {
    const a = new ApiClient();
    const { accountId: aId } = await seedAccount({ client: a });
    const aSecret = (await a.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa")).body.mfa.secret;
    const b = new ApiClient();
    const { accountId: bId } = await seedAccount({ client: b });
    await b.json("GET", "/api/v1/account/mfa");
    const [aPending] = await enrollmentsOf(aId);
    await env.DB.prepare("UPDATE mfa_enrollments SET ciphertext = ? WHERE account_id = ?")
      .bind(aPending!.ciphertext, bId)
      .run();
    const r = await b.json("PUT", "/api/v1/account/mfa", { token: codeAt(aSecret, Date.now()) });
    expectError(r, 503, "SERVER_MISCONFIGURED");
    expect(await credentialsOf(bId)).toEqual([]);
  });
});

describe("tokens and recovery codes", () => {
  it("store session and challenge tokens as their SHA-256", async () => {
    const owner = new ApiClient();
    const { email } = await enrolledAccount(owner);
    const client = new ApiClient();
    const { challenge } = (await client.signIn(email)).body;
    expect((await sessionByToken(owner.token!))?.token_hash).toBe(await sha256Hex(owner.token!));
    expect((await challengeByToken(challenge!))?.token_hash).toBe(await sha256Hex(challenge!));
  });

  it("store recovery codes as HMAC-SHA-256 under a key derived (HKDF) from the encryption key", async () => {
    const { accountId, recoveryCodes } = await enrolledAccount(new ApiClient());
    const key = testKey();
    const hkdf = await crypto.subtle.importKey("raw", key.raw, "HKDF", false, ["deriveKey"]);
    const hmacKey = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8("edge-mfa recovery-code v1") },
      hkdf,
      { name: "HMAC", hash: "SHA-256", length: 256 },
      false,
      ["sign"],
    );
    const expected = await Promise.all(
      recoveryCodes.map(async (code) => hexOf(await crypto.subtle.sign("HMAC", hmacKey, utf8(code.replace(/-/g, ""))))),
    );
    const stored = (await recoveryCodesOf(accountId)).map((r) => r.code_hash);
    expect(stored.sort()).toEqual(expected.sort());
    const plainDigests = await Promise.all(recoveryCodes.map((c) => sha256Hex(c.replace(/-/g, ""))));
    expect(stored.filter((h) => plainDigests.includes(h))).toEqual([]);
  });

  it("keep no plaintext in the audit trail", async () => {
    const owner = new ApiClient();
    const { accountId } = await enrolledAccount(owner);
    const events = await rows<Record<string, unknown>>("SELECT * FROM account_events WHERE account_id = ?", accountId);
    expect(events.length).toBeGreaterThan(0);
    expect((await scanAtRest()).filter((h) => h.table === "account_events")).toEqual([]);
  });
});
