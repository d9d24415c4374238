/**
 * The `mfa` switch of config/auth.ts: `'required'` confines an account without MFA to the
 * enrollment endpoints; `false` never asks for a code and turns the MFA endpoints off.
 */
import { afterAll, describe, expect, it } from "vitest";
import { authConfig, parseAuthPolicy } from "../../config/auth";
import { PASSWORD } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import { challengesOf, credentialsOf, sessionByToken } from "../helpers/db";
import { expectError } from "../helpers/expect";
import { enrolledAccount } from "../helpers/flows";
import { seedAccount } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

const required = () => clockedApp({ policy: parseAuthPolicy({ ...authConfig, mfa: "required" }) });
const disabled = () => clockedApp({ policy: parseAuthPolicy({ ...authConfig, mfa: false }) });

describe("mfa: 'required'", () => {
  it("refuses an aal-1 session on the security overview with 403 MFA_ENROLLMENT_REQUIRED", async () => {
    const { clock, client } = required();
    const c = client();
    await seedAccount({ client: c, now: clock.now });
    expectError(await c.json("GET", "/api/v1/account/security"), 403, "MFA_ENROLLMENT_REQUIRED");
  });

  it("refuses an aal-1 session on the session list with 403 MFA_ENROLLMENT_REQUIRED", async () => {
    const { clock, client } = required();
    const c = client();
    await seedAccount({ client: c, now: clock.now });
    expectError(await c.json("GET", "/api/v1/account/sessions"), 403, "MFA_ENROLLMENT_REQUIRED");
  });

  it.each([
    ["DELETE", "/api/v1/account/mfa", { sudo_password: PASSWORD }],
    ["POST", "/api/v1/account/mfa/recovery-codes", { otp: "123456" }],
    ["DELETE", "/api/v1/account/sessions/any-id", undefined],
  ])("refuses an aal-1 session on %s %s with 403 MFA_ENROLLMENT_REQUIRED", async (method, path, body) => {
    const { clock, client } = required();
    const c = client();
    await seedAccount({ client: c, now: clock.now });
    expectError(await c.json(method, path, body), 403, "MFA_ENROLLMENT_REQUIRED");
  });

  it("lets an aal-1 session start and confirm enrollment, which upgrades it to aal 2", async () => {
    const { clock, client } = required();
    const c = client();
    const { accountId } = await seedAccount({ client: c, now: clock.now });
    const start = await c.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa");
    expect(start.status).toBe(200);
    const { secret } = start.body.mfa;
    const confirm = await c.json("PUT", "/api/v1/account/mfa", { token: codeAt(secret, clock.now), secret });
    expect(confirm.status).toBe(200);
    expect(await credentialsOf(accountId)).toHaveLength(1);
    expect((await sessionByToken(c.token!))?.aal).toBe(2);
  });

  it("opens the security overview once the authenticator is confirmed", async () => {
    const { clock, client } = required();
    const c = client();
    await enrolledAccount(c, { now: clock.now });
    const r = await c.json<{ mfa: string | null }>("GET", "/api/v1/account/security");
    expect(r.status).toBe(200);
    expect(r.body.mfa).toBe(new Date(clock.now).toISOString());
  });

  it("sends a password sign-in without MFA to /account/security with an aal-1 session", async () => {
    const { clock, client } = required();
    const { email } = await seedAccount({ now: clock.now });
    const c = client();
    const r = await c.signIn(email);
    expect(r.status).toBe(200);
    expect(r.body.redirect_to).toBe("/account/security");
    expect((await sessionByToken(c.token!))?.aal).toBe(1);
  });
});

describe("mfa: false", () => {
  it("never asks for a code, even for an account with a confirmed authenticator", async () => {
    const withMfa = clockedApp();
    const { email, accountId } = await enrolledAccount(withMfa.client(), { now: withMfa.clock.now });
    const { client } = disabled();
    const c = client();
    const r = await c.signIn(email);
    expect(r.status).toBe(200);
    expect(r.body.mfa_required).toBeUndefined();
    expect(r.body.redirect_to).toBe("/account");
    expect((await sessionByToken(c.token!))?.aal).toBe(1);
    expect(await challengesOf(accountId)).toEqual([]);
  });

  it("never asks for a code on the magic-link path either", async () => {
    const withMfa = clockedApp();
    const { email } = await enrolledAccount(withMfa.client(), { now: withMfa.clock.now });
    const { client } = disabled();
    const r = await client().signInWithLink(email);
    expect(r.status).toBe(200);
    expect(r.body.mfa_required).toBeUndefined();
  });

  it.each([
    ["GET", "/api/v1/account/mfa", undefined],
    ["PUT", "/api/v1/account/mfa", { token: "123456" }],
    ["DELETE", "/api/v1/account/mfa", { sudo_password: PASSWORD }],
    ["POST", "/api/v1/account/mfa/recovery-codes", { otp: "123456" }],
  ])("answers %s %s with 404 MFA_DISABLED", async (method, path, body) => {
    const withMfa = clockedApp();
    const owner = withMfa.client();
    const { accountId, token } = await enrolledAccount(owner, { now: withMfa.clock.now });
    const { client } = disabled();
    const c = client();
    c.token = token;
    expectError(await c.json(method, path, body), 404, "MFA_DISABLED");
    expect(await credentialsOf(accountId)).toHaveLength(1);
  });

  it("answers POST /auth/password/mfa with 404 MFA_DISABLED", async () => {
    const withMfa = clockedApp();
    const { email, secret } = await enrolledAccount(withMfa.client(), { now: withMfa.clock.now });
    const pending = withMfa.client();
    await pending.signIn(email);
    const { client } = disabled();
    const c = client();
    c.challenge = pending.challenge;
    expectError(await c.mfa({ otp: codeAt(secret, withMfa.clock.now + 30_000) }), 404, "MFA_DISABLED");
  });
});
