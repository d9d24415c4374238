/**
 * Novel's client code, exactly as it sends requests: a browser with cookies (no bearer, no
 * challenge in the body), JSON bodies of these shapes, reading these fields of the answers.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient, ORIGIN, PASSWORD } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";
import { credentialsOf, sessionByToken } from "../helpers/db";
import { SESSION_COOKIE } from "../helpers/expect";
import { enrolledAccount } from "../helpers/flows";
import { seedAccount } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

const SAME_ORIGIN = { Origin: ORIGIN };

/** Novel's fetch wrapper: cookies, same-origin, JSON. */
function novel(token?: string): ApiClient {
  const browser = new ApiClient(undefined, undefined, { cookies: true });
  if (token) browser.jar!.set(SESSION_COOKIE, token);
  return browser;
}

describe("Novel's request shapes", () => {
  it("POST /auth/password {email, password} answers with redirect_to", async () => {
    const { email } = await seedAccount();
    const browser = novel();
    const r = await browser.json<{ redirect_to: string }>(
      "POST",
      "/auth/password",
      { email, password: PASSWORD },
      SAME_ORIGIN,
    );
    expect(r.status).toBe(200);
    expect(r.body.redirect_to).toBe("/account");
    expect(browser.jar!.get(SESSION_COOKIE)).toBeDefined();
  });

  it("POST /auth/password then POST /auth/password/mfa {otp}, the challenge riding in its cookie", async () => {
    const { email, secret, accountId } = await enrolledAccount(new ApiClient());
    const browser = novel();
    const first = await browser.json<{ mfa_required: boolean; redirect_to: string }>(
      "POST",
      "/auth/password",
      { email, password: PASSWORD },
      SAME_ORIGIN,
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ mfa_required: true, redirect_to: "/login/mfa?strategy=password" });
    expect(browser.jar!.get(SESSION_COOKIE)).toBeUndefined();

    const second = await browser.json<{ redirect_to: string }>(
      "POST",
      "/auth/password/mfa",
      { otp: codeAt(secret, Date.now() + 30_000) },
      SAME_ORIGIN,
    );
    expect(second.status).toBe(200);
    expect(second.body.redirect_to).toBe("/account");
    expect(await sessionByToken(browser.jar!.get(SESSION_COOKIE)!)).toMatchObject({ account_id: accountId, aal: 2 });
  });

  it("GET /api/v1/account/mfa answers mfa.{qr, secret, remaining, expires_at}, qr an SVG data URL", async () => {
    const { token } = await seedAccount();
    const r = await novel(token).json<{ mfa: { qr: string; secret: string; remaining: number; expires_at: string } }>(
      "GET",
      "/api/v1/account/mfa",
    );
    expect(r.status).toBe(200);
    expect(r.body.mfa).toMatchObject({
      qr: expect.stringMatching(/^data:image\/svg\+xml[;,]/),
      secret: expect.stringMatching(/^[A-Z2-7]+=*$/),
      remaining: expect.any(Number),
      expires_at: expect.any(String),
    });
    const [, meta = "", payload = ""] = /^data:image\/svg\+xml([^,]*),(.*)$/s.exec(r.body.mfa.qr) ?? [];
    const svg = meta.includes(";base64") ? atob(payload) : decodeURIComponent(payload);
    expect(svg).toMatch(/<svg[\s>]/);
    expect(Date.parse(r.body.mfa.expires_at) - Date.now()).toBeGreaterThan((r.body.mfa.remaining - 5) * 1000);
  });

  it("PUT /api/v1/account/mfa {token, secret} answers with the recovery codes", async () => {
    const { token, accountId } = await seedAccount();
    const browser = novel(token);
    const { secret } = (await browser.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa")).body.mfa;
    const r = await browser.json<{ recovery_codes: string[] }>(
      "PUT",
      "/api/v1/account/mfa",
      { token: codeAt(secret, Date.now()), secret },
      SAME_ORIGIN,
    );
    expect(r.status).toBe(200);
    expect(r.body.recovery_codes).toHaveLength(10);
    expect(await credentialsOf(accountId)).toHaveLength(1);
  });

  it("DELETE /api/v1/account/mfa {sudo_password} answers 204", async () => {
    const { token, accountId } = await enrolledAccount(new ApiClient());
    const r = await novel(token).call("DELETE", "/api/v1/account/mfa", { sudo_password: PASSWORD }, SAME_ORIGIN);
    expect(r.status).toBe(204);
    expect(await credentialsOf(accountId)).toEqual([]);
  });

  it("GET /api/v1/account/security answers {profile, mfa, sessions}", async () => {
    const { token, accountId, email, enrolledAt } = await enrolledAccount(new ApiClient());
    const r = await novel(token).json<{
      profile: { id: string; email: string; password: boolean; verified: boolean };
      mfa: string | null;
      sessions: { id: string; current: boolean; aal: number }[];
    }>("GET", "/api/v1/account/security");
    expect(r.status).toBe(200);
    expect(r.body.profile).toEqual({ id: accountId, email, password: true, verified: false });
    expect(Date.parse(r.body.mfa!)).toBeGreaterThanOrEqual(enrolledAt - 1000);
    expect(r.body.sessions).toEqual([expect.objectContaining({ current: true, aal: 2 })]);
  });
});
